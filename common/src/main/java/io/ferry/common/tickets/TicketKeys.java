package io.ferry.common.tickets;

import io.ferry.common.FerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 key pairs for migration tickets and their PEM files: the private key stays with the scheduler
 * ({@code ticket-signing.key}, mode 600), the public key goes to every agent ({@code ticket-signing.pub}).
 */
public final class TicketKeys {
  public static final String ALGORITHM = "Ed25519";
  public static final String PRIVATE_KEY_FILE = "ticket-signing.key";
  public static final String PUBLIC_KEY_FILE = "ticket-signing.pub";

  private TicketKeys() {}

  /** A fresh Ed25519 key pair. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot generate " + ALGORITHM + " keys", e);
    }
  }

  /** Writes {@code ticket-signing.key} (mode 600) and {@code ticket-signing.pub} into {@code dir}. */
  public static void write(KeyPair pair, Path dir) {
    try {
      Files.createDirectories(dir);
      Path priv = dir.resolve(PRIVATE_KEY_FILE);
      Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
      try {
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: nothing stricter to apply
      }
      Files.writeString(dir.resolve(PUBLIC_KEY_FILE), pem("PUBLIC KEY", pair.getPublic().getEncoded()),
          StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new FerryException("cannot write ticket keys to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Reads a private key written by {@link #write}. */
  public static PrivateKey readPrivate(Path file) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(unpem(file)));
    } catch (GeneralSecurityException e) {
      throw new FerryException(file + " is not an " + ALGORITHM + " private key: " + e.getMessage(), e);
    }
  }

  /** Reads a public key written by {@link #write}. */
  public static PublicKey readPublic(Path file) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(unpem(file)));
    } catch (GeneralSecurityException e) {
      throw new FerryException(file + " is not an " + ALGORITHM + " public key: " + e.getMessage(), e);
    }
  }

  /** A short stable id for a public key (first 8 bytes of its SHA-256, hex), carried in tickets as key_id. */
  public static String keyId(PublicKey key) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return java.util.HexFormat.of().formatHex(d, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] unpem(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII);
      String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      return Base64.getDecoder().decode(body);
    } catch (IOException | IllegalArgumentException e) {
      throw new FerryException("cannot read ticket key " + file + ": " + e.getMessage(), e);
    }
  }
}
