import { bundleScenario } from './bundle.ts';
import { chatScenario } from './chat.ts';
import { distScenario } from './dist.ts';
import { distHashScenario } from './dist-hash.ts';
import { graphScenario } from './graph.ts';
import { linkScenario } from './link.ts';
import { meshScenario } from './mesh.ts';
import { namesScenario } from './names.ts';
import { rtcRawScenario } from './rtc-raw.ts';
import { shellScenario } from './shell.ts';
import type { Scenario } from './types.ts';

/**
 * Every scenario `npm run bench` runs, in order. Add a scenario by appending it here;
 * keep result ids stable once published, since history files key on them.
 */
export const scenarios: readonly Scenario[] = [
  bundleScenario,
  shellScenario,
  rtcRawScenario,
  linkScenario,
  meshScenario,
  graphScenario,
  chatScenario,
  distHashScenario,
  distScenario,
  namesScenario,
];
