import { generateImportCode } from '../../../src/runtime/import/codegen';
import { AloomaNode } from '../../../src/runtime/client/types';

const webhook: AloomaNode = {
  id: '1',
  name: 'storefront_hook',
  type: 'RESTAPI',
  category: 'INPUT',
  configuration: { auto_map: 'true' },
};

describe('import code for either CDK core', () => {
  test('GIVEN no core THEN the constructs come from alooma-cdktf, for a cdktf stack', () => {
    const { code } = generateImportCode([webhook]);
    expect(code).toMatch(/^import \{ AloomaInput, AloomaSecret \} from 'alooma-cdktf';$/m);
    expect(code).toMatch(/import \{ App, TerraformStack \} from 'cdktf'/);
  });

  test('GIVEN core cdktn THEN they come from alooma-cdktf/cdktn, for a cdktn stack', () => {
    const { code } = generateImportCode([webhook], { core: 'cdktn' });
    expect(code).toMatch(/^import \{ AloomaInput, AloomaSecret \} from 'alooma-cdktf\/cdktn';$/m);
    expect(code).toMatch(/import \{ App, TerraformStack \} from 'cdktn'/);
    expect(code).not.toMatch(/from 'alooma-cdktf';/);
  });

  test('GIVEN an explicit module THEN it wins', () => {
    const { code } = generateImportCode([webhook], { core: 'cdktn', moduleName: './lib' });
    expect(code).toMatch(/from '\.\/lib';/);
  });
});
