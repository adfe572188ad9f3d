// compose vars: the app service, the images and how they reach the host, and releases kept.
import { at, checkBoolean, checkObject, checkOneOf, checkPinnedImage, checkPositiveInt, type Where } from '../vars-check.ts';

export interface AppVars {
  /** Insert two demo users into an empty database (the app's SEED_DEMO_USERS toggle). */
  seedDemoUsers: boolean;
}

export interface ImageVars {
  /** push: docker save | ssh docker load (offline hosts); pull: from a registry. */
  delivery: 'push' | 'pull';
  /**
   * true: the stack's images are built on the controller from Debian packages
   * (files/images, webapp/Dockerfile) and the refs below are replaced by those
   * builds' pinned tags before any role runs (air-gapped hosts, the lab).
   */
  offline: boolean;
  app: string;
  nginx: string;
  prometheus: string;
  alertmanager: string;
  nodeExporter: string;
  /** null: no Grafana image available (the offline lab); grafana.enabled must then be false. */
  grafana: string | null;
}

export interface ComposeVars {
  keepReleases: number;
}

export const APP_DEFAULTS: AppVars = { seedDemoUsers: false };

// Official images, pinned. The lab environment overrides them with cloudnova/* and delivery push.
export const IMAGE_DEFAULTS: ImageVars = {
  delivery: 'pull',
  offline: false,
  app: 'cloudnova/miniwebapp:0.1.0',
  nginx: 'nginx:1.27.3-alpine',
  prometheus: 'prom/prometheus:v2.55.1',
  alertmanager: 'prom/alertmanager:v0.27.0',
  nodeExporter: 'prom/node-exporter:v1.8.2',
  grafana: 'grafana/grafana-oss:11.3.1',
};

export const COMPOSE_DEFAULTS: ComposeVars = { keepReleases: 5 };

export function validateAppVars(v: unknown, where: Where): AppVars {
  const o = checkObject(v, where, ['seedDemoUsers']);
  return { seedDemoUsers: checkBoolean(o.seedDemoUsers, at(where, 'seedDemoUsers')) };
}

export function validateImageVars(v: unknown, where: Where): ImageVars {
  const o = checkObject(v, where, ['delivery', 'offline', 'app', 'nginx', 'prometheus', 'alertmanager', 'nodeExporter', 'grafana']);
  const image = (key: string) => checkPinnedImage(o[key], at(where, key));
  return {
    delivery: checkOneOf(o.delivery, at(where, 'delivery'), ['push', 'pull'] as const),
    offline: checkBoolean(o.offline, at(where, 'offline')),
    app: image('app'),
    nginx: image('nginx'),
    prometheus: image('prometheus'),
    alertmanager: image('alertmanager'),
    nodeExporter: image('nodeExporter'),
    grafana: o.grafana === null ? null : image('grafana'),
  };
}

export function validateComposeVars(v: unknown, where: Where): ComposeVars {
  const o = checkObject(v, where, ['keepReleases']);
  return { keepReleases: checkPositiveInt(o.keepReleases, at(where, 'keepReleases')) };
}
