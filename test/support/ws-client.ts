// A desktop-app-like WebSocket client for tests (independent of the product's probe): resolves with the
// HTTP status of the handshake and, on 101, the first frame.
import WebSocket from 'ws';

export interface WsOutcome {
  status: number;
  firstFrame?: unknown;
}

export function connectLikeDesktop(url: string, timeoutMs = 5000): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin: 'file://', handshakeTimeout: timeoutMs });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no frame from ${url.replace(/token=[^&]+/, 'token=***')} within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('message', (data) => {
      clearTimeout(timer);
      // binaryType is the default 'nodebuffer': a message arrives as one Buffer.
      resolve({ status: 101, firstFrame: JSON.parse((data as Buffer).toString()) });
      ws.close();
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function isGatewayReady(frame: unknown): boolean {
  const f = frame as { method?: string; params?: { type?: string } } | undefined;
  return f?.method === 'gateway.ready' || f?.params?.type === 'gateway.ready';
}
