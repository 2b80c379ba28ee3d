package weft;

import java.util.List;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;

/**
 * mongo-java-server's H2 backend with the two things Weft's queries need so that their cost does
 * not grow with history: collections that use a unique index for the equalities it covers
 * (IndexedH2Collection), and single-field secondary indexes (FieldIndex), which mongo-java-server
 * 1.47 ignores. Compound secondary indexes are still ignored, as upstream does.
 */
final class IndexedH2Backend extends H2Backend {

  IndexedH2Backend(MVStore store) {
    super(store);
  }

  @Override
  protected MongoDatabase openOrCreateDatabase(String databaseName) {
    return new Database(databaseName);
  }

  /**
   * An inner class on purpose: H2Database's constructor opens the collections (calling
   * openOrCreateCollection) before a subclass could set a field, and an inner class's outer
   * instance is set before that.
   */
  private final class Database extends H2Database {
    Database(String databaseName) {
      super(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(
        String collectionName, CollectionOptions options) {
      // The same maps H2Database opens, so data written before this extension is read as is.
      String fullName = getFullCollectionNamespace(collectionName);
      MVMap<Object, Document> data = getMvStore().openMap("databases." + fullName);
      MVMap<String, Object> meta = getMvStore().openMap("meta." + fullName);
      return new IndexedH2Collection(this, collectionName, options, data, meta, cursorRegistry);
    }

    @Override
    protected Index<Object> openOrCreateSecondaryIndex(
        String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
      if (keys.size() != 1) {
        return super.openOrCreateSecondaryIndex(collectionName, indexName, keys, sparse);
      }
      return new FieldIndex(indexName, keys, sparse);
    }
  }
}
