// A plain HTTP service of a test's own, on 127.0.0.1 and a free port: started in a file's `before`,
// closed (its keep-alive connections too) in its `after`.
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackHttp {
  /** http://127.0.0.1:PORT, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startLoopbackHttp(handler: RequestListener): Promise<LoopbackHttp> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
