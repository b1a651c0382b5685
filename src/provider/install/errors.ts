/**
 * Errors of the provider installer: the provider's files are missing, an
 * existing lock file cannot be read, an option is out of range.
 */
import { AloomaCdktfError, AloomaErrorCode } from '../../alooma/errors';

/** An error installing the provider into a Terraform working directory. */
export class ProviderInstallError extends AloomaCdktfError {
  constructor(code: AloomaErrorCode, message: string, hint: string) {
    super(code, message, hint);
  }
}
