// Every op family, registered once into the default registry (see Note
// [Declaring an op]). Adding a family means adding it here; nothing registers
// itself by import side effect.

import { OpRegistry } from './registry';
import { elementwiseOps } from './elementwise';
import { activationOps } from './activation';
import { compareOps } from './compare';
import { movementOps } from './movement';
import { shapeOps } from './shape-ops';
import { diffOps } from './diff';
import { indexingOps } from './indexing';
import { factoryOps } from './factory';
import { reductionOps } from './reduction';
import { matmulOps } from './matmul';
import { convOps } from './conv';
import { normOps } from './norm';
import { paddingOps } from './padding';
import { miscOps } from './misc';

export const defaultRegistry = new OpRegistry();
defaultRegistry.register([
  ...elementwiseOps,
  ...activationOps,
  ...compareOps,
  ...movementOps,
  ...shapeOps,
  ...diffOps,
  ...indexingOps,
  ...factoryOps,
  ...reductionOps,
  ...matmulOps,
  ...convOps,
  ...normOps,
  ...paddingOps,
  ...miscOps,
]);
