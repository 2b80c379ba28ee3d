package weft;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * Serves the MongoDB wire protocol on 127.0.0.1 with mongo-java-server, keeping data in one H2
 * MVStore file so it survives restarts. Usage: LocalMongo PORT DATA_FILE. Stops cleanly on SIGTERM.
 */
public final class LocalMongo {
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: LocalMongo PORT DATA_FILE");
      System.exit(2);
    }
    MongoServer server = new MongoServer(new H2Backend(args[1]));
    server.bind("127.0.0.1", Integer.parseInt(args[0]));
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    System.err.println("mongo-java-server listening on 127.0.0.1:" + args[0] + ", data in " + args[1]);
    Thread.currentThread().join();
  }
}
