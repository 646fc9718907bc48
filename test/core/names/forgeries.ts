import { sign } from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import type { DhtPutResult } from '../../../src/core/names/dht-types.ts';
import { nameKey } from '../../../src/core/names/peer-name.ts';
import { encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import type { NamesTestNode } from '../../helpers/names-nodes.ts';

/**
 * `attacker` signs, with its own key, a registration of someone else's secured `name` that
 * points at itself (`signRegistration` refuses to make one, so it is built by hand in the same
 * layout), and stores it at the replicas of the name.
 */
export async function forgedRegistration(attacker: NamesTestNode, name: string): Promise<DhtPutResult> {
  const nowMs = Date.now();
  const map: { [key: string]: WireValue } = {
    n: name,
    e: [attacker.nodeId],
    p: new Uint8Array(0),
    v: nowMs + 1,
    x: nowMs + 10 * 60_000,
    k: attacker.identity.publicKey,
  };
  const signature = await sign(
    attacker.identity.signingKey,
    SigningNamespaces.nameRegistration,
    encodeCbor(map),
  );
  return attacker.dht.put(await nameKey(name), encodeCbor({ ...map, s: signature }));
}
