// alertmanager vars: one route and one receiver (a webhook, or none).
import { at, checkDuration, checkHttpUrl, checkObject, checkString, checkStringList, type Where } from '../vars-check.ts';

export interface AlertmanagerVars {
  receiver: {
    name: string;
    /** null: alerts are grouped and shown in Alertmanager but sent nowhere. */
    webhookUrl: string | null;
  };
  route: { groupBy: string[]; groupWait: string; groupInterval: string; repeatInterval: string };
}

export const ALERTMANAGER_DEFAULTS: AlertmanagerVars = {
  receiver: { name: 'default', webhookUrl: null },
  route: { groupBy: ['alertname', 'host'], groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' },
};

export function validateAlertmanagerVars(v: unknown, where: Where): AlertmanagerVars {
  const o = checkObject(v, where, ['receiver', 'route']);
  const rw = at(where, 'receiver');
  const r = checkObject(o.receiver, rw, ['name', 'webhookUrl']);
  const qw = at(where, 'route');
  const q = checkObject(o.route, qw, ['groupBy', 'groupWait', 'groupInterval', 'repeatInterval']);
  return {
    receiver: {
      name: checkString(r.name, at(rw, 'name'), /^[A-Za-z0-9_-]+$/, 'letters, digits, _ -'),
      webhookUrl: r.webhookUrl === null ? null : checkHttpUrl(r.webhookUrl, at(rw, 'webhookUrl')),
    },
    route: {
      groupBy: checkStringList(q.groupBy, at(qw, 'groupBy'), /^([a-zA-Z_][a-zA-Z0-9_]*|\.\.\.)$/, 'label names'),
      groupWait: checkDuration(q.groupWait, at(qw, 'groupWait')),
      groupInterval: checkDuration(q.groupInterval, at(qw, 'groupInterval')),
      repeatInterval: checkDuration(q.repeatInterval, at(qw, 'repeatInterval')),
    },
  };
}
