/** Address of the harness broker as a page sees it. */
export interface BrokerAddress {
  host: string;
  port: number;
  path: string;
}
