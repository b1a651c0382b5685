/** Entry point of the echo provider's bundle (see provider-bundle.ts). */
import { main } from './echo-provider';

main();
