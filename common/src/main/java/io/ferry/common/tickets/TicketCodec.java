package io.ferry.common.tickets;

import io.ferry.v1.MigrationTicket;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The canonical byte encoding a ticket signature covers: a version tag, then every field except the signature,
 * each string and byte field length-prefixed, in field-number order. Protobuf serialisation is not canonical,
 * so signer and verifier both use this instead.
 */
public final class TicketCodec {
  static final String VERSION_TAG = "ferry-ticket-v1";

  private TicketCodec() {}

  /** The bytes that are signed for {@code ticket} (its {@code signature} field is ignored). */
  public static byte[] signedBytes(MigrationTicket ticket) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeString(out, VERSION_TAG);
      writeString(out, ticket.getMigrationId());
      writeString(out, ticket.getVm());
      writeString(out, ticket.getSourceHost());
      writeString(out, ticket.getDestinationHost());
      out.writeLong(ticket.getEpoch());
      out.writeLong(ticket.getExpiresAt().getSeconds());
      out.writeInt(ticket.getExpiresAt().getNanos());
      byte[] nonce = ticket.getNonce().toByteArray();
      out.writeInt(nonce.length);
      out.write(nonce);
      writeString(out, ticket.getKeyId());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
