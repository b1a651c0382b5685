import { Testing } from 'cdktf';
import { provider } from '@cdktf/provider-null';
import { AloomaConnection, AloomaInput, AloomaReconciler } from '../../src/constructs';
import { redactHashes, synthJson, testStack, validate } from './helpers';

describe('AloomaConnection', () => {
  test('records the connection in the manifest: URL, account, chosen variable names, owner, concurrency', () => {
    const stack = testStack('shop');
    new AloomaConnection(stack, 'Alooma', {
      apiUrl: 'https://app.alooma.com',
      account: 'acme',
      usernameEnv: 'ALOOMA_USERNAME', // the default: left to the runtime
      passwordEnv: 'ACME_ALOOMA_PASSWORD',
      owner: 'shop-prod',
      concurrency: 8,
      engine: 'terraform_data',
    });

    const manifest = AloomaReconciler.of(stack).manifest();
    expect(manifest).toEqual({
      version: 1,
      owner: 'shop-prod',
      connection: {
        apiUrl: 'https://app.alooma.com',
        account: 'acme',
        passwordEnv: 'ACME_ALOOMA_PASSWORD',
      },
      concurrency: 8,
      inputs: [],
    });
  });

  test('the owner defaults to the stack name and the connection to the runtime defaults', () => {
    const stack = testStack('shop-inputs');
    new AloomaConnection(stack, 'Alooma', { engine: 'terraform_data' });
    new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });

    expect(AloomaReconciler.of(stack).manifest()).toMatchObject({
      owner: 'shop-inputs',
      connection: {},
    });
  });

  test('with no connection the inputs use the default engine, the provider, owned by the stack name', () => {
    const stack = testStack('shop-inputs');
    new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
    const out = JSON.parse(Testing.synth(stack));

    expect(AloomaConnection.of(stack)).toBeUndefined();
    expect(out.resource.alooma_input.Hook.name).toBe('hook');
    expect(out.provider.alooma).toEqual([{ owner: 'shop-inputs' }]);
  });

  test('a connection without engine chooses the provider; declaring it declares the provider block', () => {
    const stack = testStack();
    const connection = new AloomaConnection(stack, 'Alooma');

    expect(connection.engine).toBe('provider');
    expect(JSON.parse(Testing.synth(stack)).provider.alooma).toEqual([{ owner: 'stack' }]);
  });

  test('declaring a terraform_data connection declares the reconciler, so removing the last input still prunes it', () => {
    const json = synthJson(() => undefined, 'terraform_data');

    expect(json.resource.terraform_data.AloomaReconciler.triggers_replace.names).toEqual([]);
  });

  describe('engine null_resource', () => {
    test('uses null_resource with the same semantics: identity, JSON input, create_before_destroy, names through self', () => {
      const json = JSON.parse(
        redactHashes(
          Testing.synth(
            (() => {
              const stack = testStack();
              new AloomaConnection(stack, 'Alooma', { engine: 'null_resource' });
              new AloomaInput(stack, 'Hook', {
                name: 'hook',
                type: 'RESTAPI',
                configuration: { note: 'a' },
              });
              return stack;
            })(),
          ),
        ),
      );

      expect(json.resource.terraform_data).toBeUndefined();
      // it names its engine, so an upgrade that made the provider the default leaves it there
      expect(json.provider).toEqual({ null: [{}] });
      expect(json.moved).toBeUndefined();
      expect(json.removed).toBeUndefined();
      expect(json.terraform?.required_version).toBeUndefined();
      expect({ ...json.resource.null_resource.Hook, '//': undefined }).toMatchInlineSnapshot(`
{
  "//": undefined,
  "lifecycle": {
    "create_before_destroy": true,
  },
  "provider": "null",
  "provisioner": [
    {
      "local-exec": {
        "command": "node assets/AloomaReconciler_Runtime_73F2F938/<hash>/runtime-stub.js delete --manifest assets/AloomaReconciler_Manifest_CFACD51D/v1/manifest.json",
        "environment": {
          "ALOOMA_CDKTF_INPUT_NAME": "\${self.triggers.name}",
        },
        "when": "destroy",
      },
    },
  ],
  "triggers": {
    "input": "{
  "configuration": {
    "auto_map": true,
    "note": "a"
  },
  "paused": false,
  "removal_policy": "destroy"
}",
    "name": "hook",
    "type": "RESTAPI",
  },
}
`);
      const reconciler = json.resource.null_resource.AloomaReconciler;
      expect(reconciler.triggers.names).toBe('["hook"]');
      expect(reconciler.triggers.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(reconciler.depends_on).toEqual(['null_resource.Hook']);
      expect(reconciler.lifecycle).toBeUndefined();
      expect(reconciler.provisioner[1]['local-exec'].environment).toEqual({
        ALOOMA_CDKTF_PREVIOUS_NAMES: '${self.triggers.names}',
      });
    });

    test("reuses the stack's null provider instead of declaring a second one", () => {
      const stack = testStack();
      const mine = new provider.NullProvider(stack, 'Null');
      const connection = new AloomaConnection(stack, 'Alooma', { engine: 'null_resource' });

      expect(connection.nullProvider).toBe(mine);
      expect(() => validate(stack)).not.toThrow();
    });
  });

  describe('validation', () => {
    test('two connections in one stack are refused, naming the first', () => {
      const stack = testStack();
      new AloomaConnection(stack, 'First');

      expect(() => new AloomaConnection(stack, 'Second')).toThrow(
        /stack\/Second: the stack already has an AloomaConnection at stack\/First.*\[duplicate_connection\]/,
      );
    });

    test('one connection per stack, not per app', () => {
      const first = testStack('one');
      new AloomaConnection(first, 'Alooma');
      expect(
        () => new AloomaConnection(testStack('two', first.node.scope as never), 'Alooma'),
      ).not.toThrow();
    });

    test('choosing null_resource after inputs were declared with the default engine is refused', () => {
      const stack = testStack();
      new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });

      expect(() => new AloomaConnection(stack, 'Alooma', { engine: 'null_resource' })).toThrow(
        /engine "null_resource" is chosen after stack\/Hook was declared.*Declare the AloomaConnection before.*\[connection_declared_late\]/,
      );
    });

    test('a connection after the inputs is fine with the default engine', () => {
      const stack = testStack();
      new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
      new AloomaConnection(stack, 'Alooma', { account: 'acme' });

      expect(JSON.parse(Testing.synth(stack)).provider.alooma).toEqual([
        { account: 'acme', owner: 'stack' },
      ]);
    });

    test('contradictory and invalid props are refused', () => {
      expect(() => new AloomaConnection(testStack(), 'A', { nullProvider: {} as never })).toThrow(
        /conflicting_properties/,
      );
      expect(() => new AloomaConnection(testStack(), 'A', { engine: 'local' as never })).toThrow(
        /props.engine/,
      );
      expect(
        () => new AloomaConnection(testStack(), 'A', { apiUrl: 'https://me:pw@app.alooma.com' }),
      ).toThrow(/plain_secret/);
      expect(() => new AloomaConnection(testStack(), 'A', { apiUrl: 'app.alooma.com' })).toThrow(
        /http or https URL/,
      );
      expect(() => new AloomaConnection(testStack(), 'A', { account: 'a/b' })).toThrow(
        /props.account/,
      );
      expect(
        () =>
          new AloomaConnection(testStack(), 'A', { apiKeyEnv: 'my key', engine: 'terraform_data' }),
      ).toThrow(/invalid_secret_reference/);
      expect(() => new AloomaConnection(testStack(), 'A', { concurrency: 0 })).toThrow(
        /props.concurrency is 0/,
      );
      expect(() => new AloomaConnection(testStack(), 'A', { owner: '' })).toThrow(/invalid_name/);
    });
  });
});
