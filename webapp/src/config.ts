import { resolve } from 'node:path';
import type { LogLevel } from './logger.ts';

export interface AppConfig {
  port: number;
  host: string;
  databasePath: string;
  seedDemoUsers: boolean;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function parseInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}='${raw}' is invalid: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function parseBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new Error(`${name}='${env[name]}' is invalid: expected true or false`);
}

function parseLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  const raw = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!LOG_LEVELS.includes(raw as LogLevel)) {
    throw new Error(`LOG_LEVEL='${env.LOG_LEVEL}' is invalid: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return raw as LogLevel;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: parseInteger(env, 'PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    databasePath: resolve(env.DATABASE_PATH?.trim() || 'data/miniwebapp.db'),
    seedDemoUsers: parseBoolean(env, 'SEED_DEMO_USERS', false),
    logLevel: parseLogLevel(env),
    shutdownTimeoutMs: parseInteger(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  };
}
