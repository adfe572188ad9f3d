// grafana vars: whether it runs, and which grafana.com dashboards to import.
import { at, checkBoolean, checkList, checkObject, checkPositiveInt, type Where } from '../vars-check.ts';

export interface DashboardImport {
  /** grafana.com dashboard id, e.g. 3662 (Prometheus 2.0 Overview). */
  id: number;
  revision: number;
}

export interface GrafanaVars {
  enabled: boolean;
  dashboards: { import: DashboardImport[] };
}

export const GRAFANA_DEFAULTS: GrafanaVars = {
  enabled: true,
  dashboards: { import: [{ id: 3662, revision: 2 }] },
};

export function validateGrafanaVars(v: unknown, where: Where): GrafanaVars {
  const o = checkObject(v, where, ['enabled', 'dashboards']);
  const dw = at(where, 'dashboards');
  const d = checkObject(o.dashboards, dw, ['import']);
  const iw = at(dw, 'import');
  const list = checkList(d.import, iw, '{ id, revision }').map((item, i) => {
    const w = at(iw, i);
    const e = checkObject(item, w, ['id', 'revision']);
    return { id: checkPositiveInt(e.id, at(w, 'id')), revision: checkPositiveInt(e.revision, at(w, 'revision')) };
  });
  return { enabled: checkBoolean(o.enabled, at(where, 'enabled')), dashboards: { import: list } };
}
