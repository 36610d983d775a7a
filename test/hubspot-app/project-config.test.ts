// The HubSpot developer project as `hs project upload` will see it: well-formed *-hsmeta.json
// files, consistent URLs and scopes, and code that imports nothing HubSpot would leave out.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_BASE } from '../../hubspot-app/src/app/cards/lib/config.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../hubspot-app');
const read = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? (name === 'node_modules' ? [] : walk(path)) : [path];
  });

const project = read('hsproject.json');
const SRC = join(ROOT, project.srcDir);
const metaFiles = walk(SRC).filter((f) => f.endsWith('-hsmeta.json'));
const metas = metaFiles.map((file) => ({ file: relative(SRC, file), meta: JSON.parse(readFileSync(file, 'utf8')) }));
const app = read('src/app/app-hsmeta.json').config;
const webhooks = read('src/app/webhooks/webhooks-hsmeta.json').config;

/** Folder each component type must sit in, relative to srcDir (as @hubspot/project-parsing-lib checks). */
const FOLDER: Record<string, string> = { app: 'app', card: 'app/cards', settings: 'app/settings', webhooks: 'app/webhooks' };

/** The scopes Refcard's install asks for, and why; the server's authorize URL must request exactly these. */
const AUTHORIZE_SCOPES = {
  oauth: 'required for every OAuth app',
  'crm.objects.contacts.read': 'card data, list sync, contact webhooks',
  'crm.objects.contacts.write': 'write referral properties onto contacts',
  'crm.schemas.contacts.write': 'create the Refcard property group and properties at install',
  'crm.lists.read': 'import a contact list as referrers',
  'crm.objects.deals.read': 'deal stage webhooks → read the deal and its contacts',
};

describe('hubspot-app project', () => {
  it('hsproject.json targets platform 2026.03 with src/', () => {
    expect(project).toEqual({ name: 'refcard', srcDir: 'src', platformVersion: '2026.03' });
  });

  it('every *-hsmeta.json has a valid unique uid, a config, and sits in its type’s folder', () => {
    expect(metas.map((m) => m.meta.type).sort()).toEqual(['app', 'card', 'card', 'settings', 'webhooks']);
    const uids = metas.map((m) => m.meta.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { file, meta } of metas) {
      expect(meta.uid, file).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
      expect(meta.config, file).toBeTypeOf('object');
      expect(dirname(file).split(sep).join('/'), file).toBe(FOLDER[meta.type]);
    }
    expect(metas.find((m) => m.meta.type === 'app')?.meta.uid).toBe('refcard_app');
  });

  it('card and settings entrypoints exist inside their own folder', () => {
    for (const { file, meta } of metas.filter((m) => m.meta.type === 'card' || m.meta.type === 'settings')) {
      const entry: string = meta.config.entrypoint;
      expect(entry, file).toMatch(new RegExp(`^/${FOLDER[meta.type]}/[^/]+\\.tsx$`));
      expect(existsSync(join(SRC, entry)), entry).toBe(true);
    }
  });

  it('cards: a contact record tab and a sidebar card', () => {
    const cards = metas.filter((m) => m.meta.type === 'card').map((m) => m.meta);
    expect(cards.map((c) => [c.uid, c.config.location, c.config.objectTypes])).toEqual([
      ['referral_card', 'crm.record.tab', ['contacts']],
      ['referral_sidebar', 'crm.record.sidebar', ['contacts']],
    ]);
    for (const card of cards) expect(card.config.name.length).toBeLessThanOrEqual(200);
  });

  it('app: marketplace OAuth with the redirect URLs and support info', () => {
    expect(app.distribution).toBe('marketplace');
    expect(app.auth.type).toBe('oauth');
    expect(app.name.length).toBeLessThanOrEqual(200);
    expect(app.description.length).toBeLessThanOrEqual(8192);
    expect(app.auth.redirectUrls).toEqual(['https://app.refcard.example/oauth/hubspot/callback', 'http://localhost:3000/oauth/hubspot/callback']);
    expect(app.support.supportEmail).toMatch(/^[^@\s]+@[^@\s]+$/);
    for (const url of [app.support.documentationUrl, app.support.supportUrl]) expect(url).toMatch(/^https:\/\//);
  });

  it('scopes: every scope the install requests is declared, and nothing more', () => {
    const declared = [...app.auth.requiredScopes, ...app.auth.optionalScopes, ...app.auth.conditionallyRequiredScopes];
    expect(new Set(declared).size).toBe(declared.length);
    expect([...app.auth.requiredScopes].sort()).toEqual(Object.keys(AUTHORIZE_SCOPES).sort());
    expect(app.auth.optionalScopes).toEqual([]);
    expect(app.auth.conditionallyRequiredScopes).toEqual([]);
  });

  it('webhook subscriptions are covered by read scopes', () => {
    const scopes: string[] = app.auth.requiredScopes;
    for (const sub of webhooks.subscriptions.crmObjects) expect(scopes, sub.objectType).toContain(`crm.objects.${sub.objectType}s.read`);
  });

  it('URLs: fetch origin = API_BASE (https), local.json proxies it to localhost:3000, webhooks target the same host', () => {
    expect(app.permittedUrls.fetch).toEqual([API_BASE]);
    expect(new URL(API_BASE).protocol).toBe('https:');
    expect(new URL(API_BASE).origin).toBe(API_BASE); // origin only: no path, no trailing slash
    expect(read('src/app/local.json')).toEqual({ proxy: { [API_BASE]: 'http://localhost:3000' } });
    expect(webhooks.settings.targetUrl).toBe(`${API_BASE}/hubspot/webhooks`);
    expect(webhooks.settings.maxConcurrentRequests).toBeGreaterThan(0);
    expect(app.permittedUrls.iframe).toEqual([]);
    expect(app.permittedUrls.img).toEqual([]);
  });

  it('webhooks: the events Refcard handles, one style per event, no double subscriptions', () => {
    const { crmObjects, legacyCrmObjects, hubEvents } = webhooks.subscriptions;
    const generic = crmObjects.map((s: Record<string, string>) => [s.subscriptionType.replace('object.', ''), s.objectType, s.propertyName ?? '']);
    const legacy = legacyCrmObjects.map((s: Record<string, string>) => {
      const [objectType, event] = s.subscriptionType.split('.');
      return [event, objectType, s.propertyName ?? ''];
    });
    const all = [...generic, ...legacy].map((k) => k.join(':'));
    expect(new Set(all).size).toBe(all.length); // the same event in both styles would arrive twice
    expect(all.sort()).toEqual([
      'associationChange:deal:',
      'creation:contact:',
      'deletion:contact:',
      'merge:contact:',
      'propertyChange:contact:hs_lead_status',
      'propertyChange:contact:lifecyclestage',
      'propertyChange:deal:dealstage',
    ]);
    expect(hubEvents.map((s: Record<string, string>) => s.subscriptionType)).toEqual(['contact.privacyDeletion']);
    for (const s of [...crmObjects, ...legacyCrmObjects, ...hubEvents]) expect(s.active).toBe(true);
  });

  it('each extension point pins @hubspot/ui-extensions 0.17.0 and react 18.3.1 and has a tsconfig', () => {
    for (const dir of ['src/app/cards', 'src/app/settings']) {
      expect(read(`${dir}/package.json`).dependencies).toEqual({ '@hubspot/ui-extensions': '0.17.0', react: '18.3.1' });
      expect(read(`${dir}/tsconfig.json`).compilerOptions).toMatchObject({ jsx: 'react-jsx', strict: true, noEmit: true, allowImportingTsExtensions: true });
    }
  });

  it('code imports only its own extension point’s files and its declared packages', () => {
    // HubSpot builds cards/ and settings/ separately and drops files outside them ("no-parent-imports").
    const code = walk(SRC).filter((f) => /\.(ts|tsx)$/.test(f));
    expect(code.length).toBeGreaterThan(5);
    for (const file of code) {
      const pointDir = join(SRC, 'app', relative(join(SRC, 'app'), file).split(sep)[0]);
      const allowed = Object.keys(JSON.parse(readFileSync(join(pointDir, 'package.json'), 'utf8')).dependencies);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        if (spec === undefined) continue;
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          expect(target.startsWith(pointDir + sep), `${relative(ROOT, file)} imports ${spec}`).toBe(true);
          expect(existsSync(target), `${relative(ROOT, file)} imports missing ${spec}`).toBe(true);
        } else {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          expect(allowed, `${relative(ROOT, file)} imports ${spec}`).toContain(pkg);
        }
      }
    }
  });

  it('the settings page’s copy of lib/ is identical to the cards’ copy', () => {
    for (const name of ['config.ts', 'types.ts', 'api.ts']) {
      expect(readFileSync(join(SRC, 'app/settings/lib', name), 'utf8'), name).toBe(readFileSync(join(SRC, 'app/cards/lib', name), 'utf8'));
    }
  });

  it('no address besides the placeholder domain and localhost', () => {
    for (const file of walk(ROOT).filter((f) => /\.(ts|tsx|json)$/.test(f))) {
      for (const [url] of readFileSync(file, 'utf8').matchAll(/https?:\/\/[^\s'"`)]+/g)) {
        expect(new URL(url).hostname, `${relative(ROOT, file)}: ${url}`).toMatch(/^(app\.refcard\.example|localhost)$/);
      }
    }
  });
});
