import {
  generateImportHcl,
  GENERIC_RESOURCE_TYPE,
  PARAMETER_SECRET_ATTRIBUTE,
  RESOURCE_TYPE_OF,
  SECRET_ATTRIBUTE_OF,
  SECRET_MAP_ATTRIBUTE,
} from '../../../src/runtime/import/hcl';
import { AloomaNode } from '../../../src/runtime/client/types';
import {
  databaseInputKind,
  genericInputKind,
  mixpanelInputKind,
  restInputKind,
  s3InputKind,
} from '../../../src/provider/resources';

const INPUT_KINDS = [
  databaseInputKind,
  restInputKind,
  s3InputKind,
  mixpanelInputKind,
  genericInputKind,
];
import {
  PARAMETER_ATTRIBUTES,
  SECRET_MAP_ATTRIBUTES,
} from '../../../src/provider/resources/fields';
import { stateFromLive } from '../../../src/provider/resources/input-resource';

const OPTIONS = { owner: 'orders-team', providerVersion: '0.1.0' };

const odbc: AloomaNode = {
  id: 'db-1',
  name: 'Orders DB',
  type: 'ODBC',
  category: 'INPUT',
  configuration: { server: 'db', password: '********', tables: '{"orders": "id"}' },
};

describe("the provider schema's names the HCL uses", () => {
  test('GIVEN the provider kinds THEN each input type maps to the resource type that manages it', () => {
    for (const kind of INPUT_KINDS) {
      if (kind.apiType === undefined) expect(kind.typeName).toBe(GENERIC_RESOURCE_TYPE);
      else expect(RESOURCE_TYPE_OF[kind.apiType]).toBe(kind.typeName);
    }
    expect(Object.keys(RESOURCE_TYPE_OF)).toHaveLength(INPUT_KINDS.length - 1);
  });

  test("GIVEN the provider kinds THEN each secret's write-only attribute is the schema's", () => {
    const fromSchema = Object.fromEntries(
      INPUT_KINDS.filter((k) => k.secrets.length > 0).map((k) => [
        k.typeName,
        Object.fromEntries(k.secrets.map((s) => [s.api, s.attribute])),
      ]),
    );
    expect(SECRET_ATTRIBUTE_OF).toEqual(fromSchema);
    expect(PARAMETER_SECRET_ATTRIBUTE).toBe(PARAMETER_ATTRIBUTES.secretValue);
    // the versions' names, as the steps print them: `<attribute>_version`
    for (const s of INPUT_KINDS.flatMap((k) => k.secrets))
      expect(s.versionAttribute).toBe(`${s.attribute}_version`);
    expect(PARAMETER_ATTRIBUTES.secretValueVersion).toBe(`${PARAMETER_SECRET_ATTRIBUTE}_version`);
    expect(SECRET_MAP_ATTRIBUTES.version).toBe(`${SECRET_MAP_ATTRIBUTE}_version`);
  });
});

describe('alooma-cdktf import --hcl', () => {
  test('GIVEN inputs THEN the terraform and provider blocks, then one import block per input by id', () => {
    const { hcl, addresses } = generateImportHcl(
      [odbc, { id: 'h-1', name: 'hook', type: 'RESTAPI', category: 'INPUT', configuration: {} }],
      OPTIONS,
    );
    expect(hcl).toContain('  required_version = ">= 1.11"');
    expect(hcl).toContain('provider "alooma" {\n  owner = "orders-team"\n}');
    expect(hcl).toContain('import {\n  to = alooma_database_input.orders_db\n  id = "db-1"\n}');
    expect(hcl).toContain('import {\n  to = alooma_input.hook\n  id = "h-1"\n}');
    expect(hcl).toContain('#   terraform plan -generate-config-out=generated.tf');
    expect(addresses).toEqual([
      { input: 'hook', address: 'alooma_input.hook' },
      { input: 'Orders DB', address: 'alooma_database_input.orders_db' },
    ]);
  });

  test('GIVEN secrets THEN each is listed with the version the provider reads, or says the first apply writes it', () => {
    const { secrets, hcl } = generateImportHcl(
      [
        odbc,
        {
          id: 'r-1',
          name: 'api',
          type: 'REST_INPUT',
          category: 'INPUT',
          configuration: {
            parameters: [{ parameter: 'token', type: 'Text', value: '********' }],
            alooma_cdktf: { owner: 'orders-team' },
          },
        },
      ],
      OPTIONS,
    );
    expect(secrets).toEqual([
      {
        address: 'alooma_rest_input.api',
        attribute: 'parameters["token"].secret_value',
        versionAttribute: 'parameters["token"].secret_value_version',
        variable: 'API_PARAMETERS_TOKEN_VALUE',
      },
      {
        address: 'alooma_database_input.orders_db',
        attribute: 'password',
        versionAttribute: 'password_version',
        variable: 'ORDERS_DB_PASSWORD',
        version: '1',
      },
    ]);
    expect(hcl).toContain(
      '#       alooma_rest_input.api: parameters["token"].secret_value = var.<an ephemeral variable>   (no version is recorded: the first apply writes it)',
    );
  });

  test("GIVEN another owner's input or a generic input's secret THEN a comment says what happens", () => {
    const { hcl } = generateImportHcl(
      [
        {
          id: 's-1',
          name: 'crm',
          type: 'SALESFORCE',
          category: 'INPUT',
          configuration: { oauth2: '********', alooma_cdktf: { owner: 'billing' } },
        },
      ],
      OPTIONS,
    );
    expect(hcl).toContain(
      '# managed by owner "billing" (its ownership marker): the provider refuses this import',
    );
    expect(hcl).not.toContain('kept as stored');
  });

  test("GIVEN a generic input's secrets THEN each is one to source in the secrets map, at the version the provider reads", () => {
    const crm: AloomaNode = {
      id: 's-2',
      name: 'crm',
      type: 'SALESFORCE',
      category: 'INPUT',
      configuration: { oauth2: '********', client_secret: '', custom_objects: 'Account' },
    };
    const { hcl, secrets } = generateImportHcl([crm], OPTIONS);
    expect(secrets).toEqual([
      {
        address: 'alooma_input.crm',
        attribute: 'secrets["oauth2"]',
        versionAttribute: 'secrets_version["oauth2"]',
        variable: 'CRM_OAUTH2',
        version: '1',
      },
    ]);
    expect(hcl).toContain(
      '#       alooma_input.crm: secrets["oauth2"] = var.<an ephemeral variable>   (secrets_version["oauth2"] "1" as read: no write)',
    );
    // the version is the one the provider's Read gives at import (prior: the id only)
    const state = stateFromLive(genericInputKind, crm, { id: crm.id });
    expect(state.secrets_version).toEqual({ oauth2: '1' });
    expect(SECRET_MAP_ATTRIBUTE).toBe(SECRET_MAP_ATTRIBUTES.values);
  });
});
