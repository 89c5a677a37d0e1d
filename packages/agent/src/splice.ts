/**
 * Joins a tunnel stream and the TCP connection to the API server, both ways, with back-pressure (pipe) and
 * half-close (an end on one side ends the other). Whatever side fails or is cancelled tears down both:
 * a client that goes away mid-stream frees the API server connection, and the reverse.
 */
import http2 from 'node:http2';
import type { Http2Stream } from 'node:http2';
import type { Socket } from 'node:net';

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

export function splice(stream: Http2Stream, socket: Socket): void {
  stream.pipe(socket);
  socket.pipe(stream);
  // The server reset the stream (its client went away): drop the API server connection.
  stream.on('aborted', () => socket.destroy());
  stream.on('error', () => socket.destroy());
  stream.on('close', () => {
    // A clean close has ended the socket already (pipe): let it flush and close by itself.
    if (stream.rstCode !== NGHTTP2_NO_ERROR || !socket.writableEnded) socket.destroy();
  });
  // The API server dropped the connection: reset the stream; after a clean close, finish it.
  socket.on('error', () => stream.close(NGHTTP2_CANCEL));
  socket.on('close', (hadError) => {
    if (!stream.closed) stream.close(hadError ? NGHTTP2_CANCEL : NGHTTP2_NO_ERROR);
  });
}
