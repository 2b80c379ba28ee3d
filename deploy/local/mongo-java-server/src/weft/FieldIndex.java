package weft;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * A secondary index on one field, kept in memory in MongoDB's sort order and rebuilt from the
 * documents when the server opens the collection. It serves a filter that constrains its field by
 * equality, a range ($gt, $gte, $lt, $lte, $eq), $in or {$exists: true}, with any other fields
 * beside: it yields a superset of the matches, which the collection then matches against the
 * whole filter. So `{timerAt: {$lte: now}}` reads the runs with a timer, not every run ever made.
 *
 * Only orderable scalars (numbers, strings, dates, ids, booleans) are kept in order; a document
 * whose field holds anything else (null, an array, a sub-document) is always a candidate, and one
 * without the field is never one: none of the conditions served can match a missing field.
 */
final class FieldIndex extends Index<Object> {

  /** Stands for "not in the ordered map" in `indexedValue`. */
  private static final Object UNORDERED = new Object();

  private final String field;
  /**
   * Value → the position holding it, or a {@link Positions} when several do: most values (times)
   * are held by one document, and a set for each would triple the index's memory.
   */
  private final NavigableMap<Object, Object> ordered = new TreeMap<>(ValueComparator.asc());
  private final Set<Object> unordered = new LinkedHashSet<>();
  /** What each indexed document's position is filed under, so a removal needs only the position. */
  private final Map<Object, Object> indexedValue = new HashMap<>();

  FieldIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.field = keys.get(0).getKey();
  }

  @Override
  public Object getPosition(Document document) {
    // Not unique: the position comes from the _id index.
    return null;
  }

  @Override
  public void checkAdd(Document document, MongoCollection<Object> collection) {}

  @Override
  public synchronized void add(Document document, Object position, MongoCollection<Object> collection) {
    Object value = Utils.getSubdocumentValue(document, field);
    if (value instanceof Missing) return;
    if (isOrderable(value)) {
      ordered.merge(value, position, FieldIndex::withPosition);
      indexedValue.put(position, value);
    } else {
      unordered.add(position);
      indexedValue.put(position, UNORDERED);
    }
  }

  @Override
  public synchronized Object remove(Document document) {
    Object position = Utils.getSubdocumentValue(document, "_id");
    forget(position);
    return position;
  }

  private void forget(Object position) {
    Object value = indexedValue.remove(position);
    if (value == null) return;
    if (value == UNORDERED) {
      unordered.remove(position);
      return;
    }
    Object held = ordered.get(value);
    if (held instanceof Positions several) {
      several.remove(position);
      if (several.size() == 1) ordered.put(value, several.iterator().next());
    } else if (position.equals(held)) {
      ordered.remove(value);
    }
  }

  /** What `value` is held by once `position` holds it too (`held` is what held it before). */
  private static Object withPosition(Object held, Object position) {
    if (held instanceof Positions several) {
      several.add(position);
      return several;
    }
    Positions several = new Positions();
    several.add(held);
    several.add(position);
    return several;
  }

  private static void addTo(Set<Object> positions, Object held) {
    if (held instanceof Positions several) positions.addAll(several);
    else if (held != null) positions.add(held);
  }

  /** The positions holding one value, when there are several. */
  private static final class Positions extends LinkedHashSet<Object> {}

  @Override
  public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {}

  @Override
  public synchronized void updateInPlace(
      Document oldDocument, Document newDocument, Object position, MongoCollection<Object> collection) {
    forget(position);
    add(newDocument, position, collection);
  }

  @Override
  public synchronized boolean canHandle(Document query) {
    return query.containsKey(field) && Condition.of(query.get(field)) != null;
  }

  @Override
  public synchronized Iterable<Object> getPositions(Document query) {
    Condition condition = Condition.of(query.get(field));
    if (condition == null) throw new IllegalArgumentException("cannot serve " + query);
    // A set: `$in` may name a value twice, and each document is found once.
    Set<Object> positions = new LinkedHashSet<>();
    if (condition.in != null) {
      for (Object value : condition.in) {
        addTo(positions, ordered.get(value));
      }
    } else if (!condition.isEmptyRange()) {
      NavigableMap<Object, Object> range = ordered;
      if (condition.lower != null) range = range.tailMap(condition.lower, condition.lowerInclusive);
      if (condition.upper != null) range = range.headMap(condition.upper, condition.upperInclusive);
      for (Object held : range.values()) addTo(positions, held);
    }
    positions.addAll(unordered);
    return positions;
  }

  @Override
  public synchronized long getCount() {
    return indexedValue.size();
  }

  @Override
  public long getDataSize() {
    return 0;
  }

  @Override
  public synchronized void drop() {
    ordered.clear();
    unordered.clear();
    indexedValue.clear();
  }

  static boolean isOrderable(Object value) {
    return value instanceof Number
        || value instanceof String
        || value instanceof Instant
        || value instanceof ObjectId
        || value instanceof UUID
        || value instanceof Boolean;
  }

  /** What a filter asks of the field, reduced to what the ordered map can answer. */
  private static final class Condition {
    Object lower;
    boolean lowerInclusive;
    Object upper;
    boolean upperInclusive;
    /** Set when the field must equal one of these values. */
    Collection<?> in;

    /** Whether the bounds exclude every value (a TreeMap refuses such a range). */
    boolean isEmptyRange() {
      if (lower == null || upper == null) return false;
      int order = ValueComparator.asc().compare(lower, upper);
      return order > 0 || (order == 0 && !(lowerInclusive && upperInclusive));
    }

    /** The condition `filter` puts on the field, or null if the index cannot serve it. */
    static Condition of(Object filter) {
      Condition condition = new Condition();
      if (isOrderable(filter)) {
        condition.in = List.of(filter);
        return condition;
      }
      if (!(filter instanceof Document operators) || operators.isEmpty()) return null;
      for (Map.Entry<String, Object> entry : operators.entrySet()) {
        Object operand = entry.getValue();
        switch (entry.getKey()) {
          case "$exists" -> {
            if (!Boolean.TRUE.equals(operand)) return null;
          }
          case "$in" -> {
            if (!(operand instanceof Collection<?> values)) return null;
            for (Object value : values) if (!isOrderable(value)) return null;
            condition.in = values;
          }
          case "$eq" -> {
            if (!isOrderable(operand)) return null;
            condition.in = List.of(operand);
          }
          case "$gt", "$gte" -> {
            if (!isOrderable(operand)) return null;
            condition.lower = operand;
            condition.lowerInclusive = entry.getKey().equals("$gte");
          }
          case "$lt", "$lte" -> {
            if (!isOrderable(operand)) return null;
            condition.upper = operand;
            condition.upperInclusive = entry.getKey().equals("$lte");
          }
          default -> {
            return null;
          }
        }
      }
      return condition;
    }
  }
}
