package weft;

import de.bwaldvogel.mongo.MongoServer;
import org.h2.mvstore.MVStore;

/**
 * Serves the MongoDB wire protocol on 127.0.0.1 with mongo-java-server, keeping data in one H2
 * MVStore file so it survives restarts. Usage: LocalMongo PORT DATA_FILE [CACHE_MB]. CACHE_MB is
 * H2's page cache (16 MB by default, which past ~10,000 runs made every read go to the file).
 * Stops cleanly on SIGTERM.
 */
public final class LocalMongo {
  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: LocalMongo PORT DATA_FILE [CACHE_MB]");
      System.exit(2);
    }
    MVStore.Builder store = new MVStore.Builder().fileName(args[1]);
    if (args.length == 3) store.cacheSize(Integer.parseInt(args[2]));
    MongoServer server = new MongoServer(new IndexedH2Backend(store.open()));
    server.bind("127.0.0.1", Integer.parseInt(args[0]));
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    System.err.println("mongo-java-server listening on 127.0.0.1:" + args[0] + ", data in " + args[1]);
    Thread.currentThread().join();
  }
}
