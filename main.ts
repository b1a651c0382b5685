/**
 * Example stack: the inputs of a small shop, managed as code.
 *
 * By default it targets the local emulator (`npm start`, account "demo");
 * set ALOOMA_API_URL (and ALOOMA_ACCOUNT) to target a real account.
 *
 * It uses the default engine, the Alooma provider (installed next to the
 * stack at synth; Terraform 1.11+). At deploy time the provider reads
 * credentials and secrets from the environment; only variable names are
 * synthesized:
 *   ALOOMA_API_KEY=demo-key (the emulator's key), or ALOOMA_USERNAME + ALOOMA_PASSWORD
 *   ORDERS_DB_PASSWORD, MIXPANEL_API_SECRET
 *
 *   npx cdktf diff   # what would change
 *   npx cdktf deploy # make Alooma match
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaInput,
  AloomaInputType,
  AloomaRestInput,
  AloomaSecret,
  RemovalPolicy,
} from './src/constructs';
import { EmulatorDefaults, EnvVar } from './src/runtime/protocol';

class ShopInputsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const realAccount = process.env[EnvVar.API_URL];
    new AloomaConnection(this, 'Alooma', {
      apiUrl: realAccount ?? EmulatorDefaults.URL,
      account: process.env[EnvVar.ACCOUNT] ?? (realAccount ? undefined : EmulatorDefaults.ACCOUNT),
      concurrency: 4,
    });

    // A PostgreSQL database, replicated incrementally by xmin.
    const orders = new AloomaDatabaseInput(this, 'OrdersDb', {
      name: 'orders_db',
      source: {
        server: 'db.internal.example',
        port: 5432,
        database: 'shop',
        schema: 'public',
        dbType: 'psql',
        user: 'alooma_reader',
        password: AloomaSecret.fromEnv('ORDERS_DB_PASSWORD', { version: '1' }),
      },
      defaultSchema: 'SHOP',
      tables: {
        orders: 'xmin::text::bigint',
        order_items: 'xmin::text::bigint',
      },
      batchSize: 50_000,
      runAt: '0 * * * *',
    });
    orders.addTable('users', 'xmin::text::bigint');
    orders.addTable('refunds', 'updated_at');

    // A REST API polled every four hours, with a date window.
    const engage = new AloomaRestInput(this, 'MixpanelEngage', {
      name: 'mixpanel_engage',
      baseUrl: 'https://mixpanel.com/api/2.0/engage',
      username: 'alooma-export',
      password: AloomaSecret.fromEnv('MIXPANEL_API_SECRET'),
      dataField: 'results',
      frequency: 240,
      cronExpression: '0 */4 * * *',
      pagination: { type: 'Incremental', pageParameter: 'page', increment: 1, initialValue: 1 },
      defaultSchema: 'MIXPANEL',
      autoMap: false,
    });
    engage.addParameter({ parameter: 'from_date', type: 'Days Past', value: 2 });
    engage.addParameter({ parameter: 'to_date', type: 'Days Past', value: 0 });
    engage.addTemplate('%Y-%m-%d', ['from_date', 'to_date']);

    // A webhook that the storefront posts events to.
    new AloomaInput(this, 'StorefrontEvents', {
      name: 'storefront_events',
      type: AloomaInputType.RESTAPI,
    });

    // A legacy export, paused; kept in Alooma if this code is ever removed.
    new AloomaInput(this, 'LegacyClickstream', {
      name: 'legacy_clickstream',
      type: AloomaInputType.RESTAPI,
      paused: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

const app = new App();
new ShopInputsStack(app, 'shop-inputs');
app.synth();
