// `hermes-setup export ansible [DIR]`: write the role and playbook (see src/export/ansible-role.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { out } from '../output.js';

export function registerExport(program: Command): void {
  const exp = program
    .command('export')
    .description("write the converge in another tool's format (ansible: a role + playbook)")
    .addHelpText(
      'after',
      `
Examples:
  $ hermes-setup export ansible ./ops
  $ ansible-playbook -i hosts.ini ./ops/playbook.yml`,
    );
  exp
    .command('ansible')
    .description(
      'write an Ansible role + playbook doing the same converge (same unit template and decisions), for AWX, Tower or CI',
    )
    .argument('[dir]', 'where to write playbook.yml and roles/hermes_dashboard/', 'hermes-ansible')
    .addHelpText(
      'after',
      `
Examples:
  $ hermes-setup export ansible ./ops
  $ ansible-playbook -i hosts.ini ./ops/playbook.yml`,
    )
    .action(async (dir: string) => {
      const { buildAnsibleExport } = await import('./ansible-role.js');
      const files = await buildAnsibleExport();
      for (const [rel, text] of files) {
        const path = join(dir, rel);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 });
      }
      out.line(
        `wrote ${files.size} files under ${resolve(dir)}; run: ansible-playbook -i <inventory> ${join(dir, 'playbook.yml')}`,
      );
    });
}
