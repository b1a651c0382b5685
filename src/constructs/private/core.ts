/**
 * The one door to the CDK core. Every construct imports the core through
 * this module, so the package builds twice from one source: for cdktf 0.21
 * (`alooma-cdktf`, this file as written) and for CDK Terrain
 * (`alooma-cdktf/cdktn`: scripts/build-cdktn.js rewrites this module's
 * `cdktf` to `cdktn` in the compiled copy). Nothing else may import `cdktf`
 * (test/architecture/layers.test.ts checks it).
 */
export {
  AnnotationMetadataEntryType,
  App,
  AssetType,
  Aspects,
  Fn,
  Lazy,
  TerraformAsset,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Token,
  anyToHclTerraform,
  call,
  conditional,
  Op,
  anyToTerraform,
  hashMapper,
  hashMapperHcl,
} from 'cdktf';
export type {
  IAspect,
  IResolvable,
  LocalExecProvisioner,
  TerraformMetaArguments,
  TerraformVariableConfig,
} from 'cdktf';

/** The CDK core this build is for: `cdktf` or `cdktn`. */
export const CDK_CORE: 'cdktf' | 'cdktn' = 'cdktf';
/** How users import this build. */
export const PACKAGE_IMPORT: string = 'alooma-cdktf';
