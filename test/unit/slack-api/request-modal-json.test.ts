import { describe, expect, it } from 'vitest';
import { buildRequestModal, type RequestModalModel } from '../../../src/blocks/request-modal.js';
import { requestModalJson } from '../../../src/slack-api/modals.js';

const base: RequestModalModel = {
  presetId: 'custom',
  expiresOn: '2027-03-01',
  scopes: [],
  review: { needsApproval: false, reasons: [], configured: true },
  metadata: { revision: 0 },
};

describe('requestModalJson (the request modal serialised once, its private_metadata per command)', () => {
  it('is the built modal, whatever the metadata, on first use and from the cache', () => {
    const models: RequestModalModel[] = [
      { ...base, metadata: { channelId: 'C1', responseUrl: 'https://hooks.slack.com/commands/T1/1/a"b\\c', revision: 0 } },
      { ...base, metadata: { channelId: 'C2', responseUrl: 'https://hooks.slack.com/commands/T1/2/x', revision: 0 } },
      { ...base, metadata: { revision: 0 } },
      { ...base, name: 'private_metadata":"x', metadata: { channelId: 'C3', revision: 0 } },
      { ...base, presetId: 'ci', scopes: ['read:repository:bitbucket'], metadata: { channelId: 'C4', revision: 2 } },
      {
        ...base,
        review: { needsApproval: true, reasons: ['Long expiry.'], configured: false },
        metadata: { channelId: 'C5', revision: 0 },
      },
    ];
    for (const model of [...models, ...models]) {
      expect(JSON.parse(requestModalJson(model))).toEqual(buildRequestModal(model));
    }
  });

  it('does not reuse one model’s modal for another', () => {
    const a = JSON.parse(requestModalJson({ ...base, expiresOn: '2027-03-01' }));
    const b = JSON.parse(requestModalJson({ ...base, expiresOn: '2027-03-02' }));
    expect(a).not.toEqual(b);
    expect(b).toEqual(buildRequestModal({ ...base, expiresOn: '2027-03-02' }));
  });
});
