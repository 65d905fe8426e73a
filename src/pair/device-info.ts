// How this machine introduces itself in the auth frame (docs/hermes-contract.md#c16 device fields). The device_id is
// this install's random id (./device-id.ts), never derived from the user or host name.
import os from 'node:os';

export function deviceInfo(deviceId: string): Record<string, unknown> {
  const host = os.hostname();
  return {
    device_name: `hermes-setup on ${host}`,
    device_id: deviceId,
    device_hostname: host,
    client_surface: 'cli',
    device_form_factor: 'desktop',
    device_model: `${os.type()} ${os.arch()}`,
    device_platform: process.platform,
    supports: ['terminal'],
  };
}
