package weft;

import java.util.Collection;
import java.util.regex.Pattern;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * An H2 collection whose queries use a unique index when the filter pins every field of it by
 * equality, whatever else the filter says: mongo-java-server 1.47 uses one only when the filter
 * has exactly the index's fields, so a compare-and-set on {_id, v} read the whole collection.
 * The documents the index finds are still matched against the whole filter.
 */
final class IndexedH2Collection extends H2Collection {

  IndexedH2Collection(
      MongoDatabase database,
      String collectionName,
      CollectionOptions options,
      MVMap<Object, Document> data,
      MVMap<String, Object> meta,
      CursorRegistry cursorRegistry) {
    super(database, collectionName, options, data, meta, cursorRegistry);
  }

  @Override
  protected QueryResult queryDocuments(
      Document query,
      Document orderBy,
      int numberToSkip,
      int limit,
      int batchSize,
      Document fieldSelector) {
    for (Index<Object> index : getIndexes()) {
      if (!index.isUnique()) continue;
      Document pinned = equalitiesOn(index, query);
      if (pinned != null && index.canHandle(pinned)) {
        return matchDocuments(
            query, index.getPositions(pinned), orderBy, numberToSkip, limit, batchSize, fieldSelector);
      }
    }
    return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
  }

  /** The filter's plain equalities on every field of `index`, or null if one is not pinned so. */
  private static Document equalitiesOn(Index<Object> index, Document query) {
    Document pinned = new Document();
    for (IndexKey key : index.getKeys()) {
      Object value = query.get(key.getKey());
      if (!isPlainValue(value)) return null;
      pinned.put(key.getKey(), value);
    }
    return pinned;
  }

  /** A value that matches by equality alone: not an operator document, an array, null or a pattern. */
  static boolean isPlainValue(Object value) {
    return value != null
        && !(value instanceof Document)
        && !(value instanceof Collection)
        && !(value instanceof Pattern)
        && !(value instanceof BsonRegularExpression);
  }
}
