import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Transport } from './transport.js';

// Placeholder while the transports are being written; replaced by their owner.
export function createTransport(_config: Config, _db: Db): Transport {
  throw new Error('not yet written');
}
