// prometheus vars: scraping, retention and the alert thresholds.
import { at, checkDuration, checkObject, checkPercent, checkRatio, type Where } from '../vars-check.ts';

export interface AlertThresholds {
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
  /** Share of app responses that are 5xx, e.g. 0.05. */
  app5xxRatio: number;
  /** How long a threshold must hold before the alert fires. */
  for: string;
  instanceDownFor: string;
}

export interface PrometheusVars {
  retention: string;
  scrapeInterval: string;
  evaluationInterval: string;
  alerts: AlertThresholds;
}

export const PROMETHEUS_DEFAULTS: PrometheusVars = {
  retention: '15d',
  scrapeInterval: '15s',
  evaluationInterval: '15s',
  alerts: { cpuPercent: 80, memoryPercent: 90, diskPercent: 85, app5xxRatio: 0.05, for: '5m', instanceDownFor: '1m' },
};

export function validatePrometheusVars(v: unknown, where: Where): PrometheusVars {
  const o = checkObject(v, where, ['retention', 'scrapeInterval', 'evaluationInterval', 'alerts']);
  const w = at(where, 'alerts');
  const a = checkObject(o.alerts, w, ['cpuPercent', 'memoryPercent', 'diskPercent', 'app5xxRatio', 'for', 'instanceDownFor']);
  return {
    retention: checkDuration(o.retention, at(where, 'retention')),
    scrapeInterval: checkDuration(o.scrapeInterval, at(where, 'scrapeInterval')),
    evaluationInterval: checkDuration(o.evaluationInterval, at(where, 'evaluationInterval')),
    alerts: {
      cpuPercent: checkPercent(a.cpuPercent, at(w, 'cpuPercent')),
      memoryPercent: checkPercent(a.memoryPercent, at(w, 'memoryPercent')),
      diskPercent: checkPercent(a.diskPercent, at(w, 'diskPercent')),
      app5xxRatio: checkRatio(a.app5xxRatio, at(w, 'app5xxRatio')),
      for: checkDuration(a.for, at(w, 'for')),
      instanceDownFor: checkDuration(a.instanceDownFor, at(w, 'instanceDownFor')),
    },
  };
}
