import { CDKTF_MODULE, CONSTRUCTS_MODULE, createCdktfApp } from '../../helpers/cdktf-app';
test('x', () => {
  const app = createCdktfApp('alooma-exp-');
  app.write({ 'main.ts': `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaSecret } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
for (const [s, n] of [['a', 50], ['b', 20]] as const) {
  const stack = new TerraformStack(app, s);
  new AloomaConnection(stack, 'Alooma');
  for (let i = 0; i < n; i++) new AloomaDatabaseInput(stack, 'Db' + i, { name: s + '_' + i,
    source: { server: 'db', port: 5432, database: 'shop', dbType: 'psql', user: 'u', password: AloomaSecret.fromEnv('PW') },
    tables: { orders: 'xmin::text::bigint', users: 'id', ['t' + i]: 'id' } });
}
app.synth();
`});
  const t = Date.now();
  const r = app.cdktf(['synth'], { ALOOMA_LIVE_DIFF: 'off' });
  console.log(Date.now() - t, r.code, r.output.slice(-2000), app.dir);
}, 120000);
