import './quiet.js';
import { describe, expect, it } from 'vitest';
import { developmentTeam, EchelonError } from '../../src/index.js';
import { restateEndpoint, restateLayout, restateOrchestrator } from '../../src/restate/index.js';

const executors = { default: async () => 'done' };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof EchelonError ? error.code : String(error);
  }
};

describe('echelon/restate: layout and options', () => {
  it('puts each agent on the service of the unit whose subtree holds it, prefixed by the organisation', () => {
    const layout = restateLayout(developmentTeam(), 'acme');
    expect(layout.units).toEqual(['cto', 'backend_lead', 'frontend_lead']);
    expect(layout.unitOf('api_specialist')).toBe('backend_lead');
    expect(layout.unitOf('react_specialist')).toBe('frontend_lead');
    expect(layout.unitOf('cto')).toBe('cto');
    expect(layout.agents('backend_lead')).toBe('acme-agents-backend_lead');
    expect(restateLayout(developmentTeam(), 'acme', []).unitOf('api_specialist')).toBe('cto');
    expect(restateLayout(developmentTeam(), 'acme', ['api_specialist']).unitOf('api_specialist')).toBe('api_specialist');
  });

  it('serves only the units a deployment hosts, and the organisation-wide parts with the root', () => {
    const backend = restateEndpoint({ name: 'acme', hierarchy: developmentTeam(), executors, hosts: ['backend_lead'] });
    expect(backend.services).toEqual(['acme-agents-backend_lead', 'acme-run-backend_lead', 'acme-decide-backend_lead']);
    const root = restateEndpoint({ name: 'acme', hierarchy: developmentTeam(), executors, hosts: ['cto'] });
    expect(root.services).toEqual(['acme-agents-cto', 'acme-run-cto', 'acme-decide-cto', 'acme-case', 'acme-task', 'acme-resources']);
  });

  it('refuses what cannot be an organisation on Restate, saying why', () => {
    const hierarchy = developmentTeam();
    expect(codeOf(() => restateLayout(hierarchy, 'has space'))).toBe('invalid_option');
    expect(codeOf(() => restateLayout(hierarchy, 'acme', ['nobody']))).toBe('unknown_agent');
    expect(codeOf(() => restateEndpoint({ hierarchy, executors, hosts: ['api_specialist'] }))).toBe('invalid_option');
    expect(codeOf(() => restateEndpoint({ hierarchy, executors, store: {} } as never))).toBe('invalid_option');
    expect(codeOf(() => restateEndpoint({ hierarchy, executors, concurency: 2 } as never))).toBe('invalid_option');
    expect(codeOf(() => restateEndpoint({ hierarchy } as never))).toBe('invalid_option');
    expect(codeOf(() => restateOrchestrator({ hierarchy, executors, ingressUrl: 'nowhere', adminUrl: 'http://127.0.0.1:9070' }))).toBe('invalid_option');
    expect(() => restateEndpoint({ hierarchy, executors, clock: {} } as never)).toThrow(/time comes from Restate/);
  });

  it("names itself in a refused option, and knows its own options when it suggests one", () => {
    const hierarchy = developmentTeam();
    // Before: 'createOrchestrator: unknown option "ingresUrl" (the options are hierarchy, executors, …)', with no ingressUrl among them.
    expect(() => restateOrchestrator({ hierarchy, executors, ingresUrl: 'http://127.0.0.1:8080', adminUrl: 'http://127.0.0.1:9070' } as never)).toThrow(
      expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/^restateOrchestrator: unknown option "ingresUrl" — did you mean "ingressUrl"\?/) }),
    );
    expect(() => restateEndpoint({ hierarchy, executors, host: ['cto'] } as never)).toThrow(expect.objectContaining({ message: expect.stringMatching(/^restateEndpoint: unknown option "host" — did you mean "hosts"\?/) }));
    expect(() => restateEndpoint({ hierarchy, executors, concurency: 2 } as never)).toThrow(expect.objectContaining({ message: expect.stringMatching(/^restateEndpoint: unknown option "concurency" — did you mean "concurrency"\?/) }));
  });
});
