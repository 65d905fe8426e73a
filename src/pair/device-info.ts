// How this machine introduces itself in the auth frame (hermes-behaviour.md §16.3 device fields).
import { createHash } from 'node:crypto';
import os from 'node:os';

export function deviceInfo(): Record<string, unknown> {
  const host = os.hostname();
  const user = os.userInfo().username;
  return {
    device_name: `hermes-setup on ${host}`,
    device_id: createHash('sha256').update(`hermes-setup:${user}@${host}`).digest('hex').slice(0, 16),
    device_hostname: host,
    client_surface: 'cli',
    device_form_factor: 'desktop',
    device_model: `${os.type()} ${os.arch()}`,
    device_platform: process.platform,
    supports: ['terminal'],
  };
}
