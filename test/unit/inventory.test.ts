// Inventory parsing, table-driven: TOML and Ansible INI, valid and invalid (errors carry file:line:col).
import { describe, expect, it } from 'vitest';
import { parseInventoryText } from '../../src/inventory/load-inventory.js';
import { applyLimit } from '../../src/inventory/limit.js';
import type { Inventory } from '../../src/inventory/inventory.js';

const TOML_OK = `[defaults]
user = "deploy"
mode = "token"

[hosts.mini]
address = "10.0.0.5"

[hosts.vps]
address = "vps.example.org"
port = 2222
identity = "~/.ssh/vps"
mode = "password"

[hosts."lab-1"]
daemon = true

[groups.home]
hosts = ["mini"]
bind = "all"

[groups.everything]
hosts = ["vps"]
children = ["home"]
`;

const INI_OK = `# lab
solo ansible_host=10.0.0.9

[home]
mini ansible_host=10.0.0.5 ansible_user=pi
nas:2200 ansible_ssh_private_key_file="/keys/nas key"

[cloud]
vps ansible_host=vps.example.org ansible_port=2222 hermes_mode=password

[cloud:vars]
ansible_user=ubuntu

[all:vars]
ansible_user=deploy

[lab:children]
home
cloud
`;

const pick = (inv: Inventory) => inv.hosts.map((h) => ({ ...h }));

describe('valid inventories', () => {
  it.each([
    [
      'toml',
      'fleet.toml',
      TOML_OK,
      [
        { name: 'mini', address: '10.0.0.5', user: 'deploy', mode: 'token', bind: 'all' },
        {
          name: 'vps',
          address: 'vps.example.org',
          user: 'deploy',
          mode: 'password',
          port: 2222,
          identity: '~/.ssh/vps',
        },
        { name: 'lab-1', address: 'lab-1', user: 'deploy', mode: 'token', daemon: true },
      ],
      { home: ['mini'], everything: ['vps', 'mini'] },
    ],
    [
      'ini',
      'hosts.ini',
      INI_OK,
      [
        { name: 'solo', address: '10.0.0.9', user: 'deploy' },
        { name: 'mini', address: '10.0.0.5', user: 'pi' },
        { name: 'nas', address: 'nas', user: 'deploy', port: 2200, identity: '/keys/nas key' },
        { name: 'vps', address: 'vps.example.org', user: 'ubuntu', port: 2222, mode: 'password' },
      ],
      { home: ['mini', 'nas'], cloud: ['vps'], lab: ['mini', 'nas', 'vps'] },
    ],
    ['toml, empty', 'e.toml', '', [], {}],
    ['ini, only comments', 'e.ini', '; nothing\n# here\n', [], {}],
  ])('%s', async (_n, file, text, hosts, groups) => {
    const inv = await parseInventoryText(text, file);
    expect(pick(inv)).toEqual(hosts);
    expect(Object.fromEntries(inv.groups)).toEqual(groups);
  });
});

describe('invalid inventories name the line and column', () => {
  it.each([
    ['toml syntax', 'a.toml', '[hosts.mini]\naddress = "x\n', /^a\.toml:2:\d+: /],
    [
      'toml unknown key',
      'a.toml',
      '[hosts.mini]\naddress = "x"\n  usr = "deploy"\n',
      /^a\.toml:3:3: hosts\.mini\.usr is not a known key/,
    ],
    [
      'toml bad port',
      'a.toml',
      '[defaults]\nuser = "d"\nport = 70000\n',
      /^a\.toml:3:1: defaults\.port must be 1-65535/,
    ],
    ['toml port as string', 'a.toml', '[hosts.a]\nport = "22"\n', /^a\.toml:2:1: hosts\.a\.port must be an integer/],
    ['toml bad mode', 'a.toml', '[hosts.a]\n\nmode = "open"\n', /^a\.toml:3:1: hosts\.a\.mode must be one of/],
    [
      'toml unknown group member',
      'a.toml',
      '[hosts.a]\n[groups.g]\nhosts = ["b"]\n',
      /^a\.toml:3:1: groups\.g\.hosts names "b"/,
    ],
    [
      'toml group cycle',
      'a.toml',
      '[groups.a]\nchildren = ["b"]\n[groups.b]\nchildren = ["a"]\n',
      /^a\.toml:\d:1: group "[ab]" contains itself/,
    ],
    ['toml top-level key', 'a.toml', 'host = "x"\n', /^a\.toml:1:1: unknown top-level key "host"/],
    ['ini bad section', 'h.ini', 'a\n[web:hostvars]\n', /^h\.ini:2:1: invalid section/],
    ['ini bad port', 'h.ini', '[web]\nw1 ansible_port=http\n', /^h\.ini:2:4: ansible_port=http: must be a port/],
    ['ini not key=value', 'h.ini', '[web]\nw1 ansible_host\n', /^h\.ini:2:4: expected key=value/],
    ['ini vars line', 'h.ini', '[web:vars]\njust words\n', /^h\.ini:2:1: expected key=value/],
    ['ini host range', 'h.ini', '[web]\nweb[01:03]\n', /^h\.ini:2:1: host ranges/],
    ['ini children cycle', 'h.ini', '[a:children]\nb\n[b:children]\na\n', /^h\.ini:\d:1: group "[ab]" contains itself/],
    ['ini bad mode', 'h.ini', 'x hermes_mode=open\n', /^h\.ini:1:3: hermes_mode=open/],
  ])('%s', async (_n, file, text, re) => {
    const err = await parseInventoryText(text, file).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; exitCode: number },
    );
    expect(err?.code).toBe('E_INVENTORY');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toMatch(re);
  });
});

describe('--limit', () => {
  it.each([
    ['mini', ['mini']],
    ['home', ['mini', 'nas']],
    ['lab,!home', ['vps']],
    ['n*', ['nas']],
    ['all,!solo,!vps', ['mini', 'nas']],
    ['!cloud', ['solo', 'mini', 'nas']],
    ['lab,&home', ['mini', 'nas']],
    ['10.0.0.*', ['solo', 'mini']],
  ])('%s', async (limit, names) => {
    const inv = await parseInventoryText(INI_OK, 'hosts.ini');
    expect(applyLimit(inv, limit).map((h) => h.name)).toEqual(names);
  });
  it('a limit matching nothing is a usage error', async () => {
    const inv = await parseInventoryText(INI_OK, 'hosts.ini');
    expect(() => applyLimit(inv, 'nope')).toThrow(/matches no host/);
  });
});
