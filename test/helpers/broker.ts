import { executeServerCommand } from '@web/test-runner-commands';
import type { BrokerAddress } from './broker-address.ts';

/** Address of the PeerJS broker the harness runs on 127.0.0.1 (started again if stopped). */
export function brokerAddress(): Promise<BrokerAddress> {
  return executeServerCommand<BrokerAddress, undefined>('broker-address');
}

/** Stops the harness broker; `brokerAddress()` starts it again on the same port. */
export async function stopBroker(): Promise<void> {
  await executeServerCommand<boolean, undefined>('broker-stop');
}
