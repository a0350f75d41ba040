// Quiver's native HNSW index: hnswlib's graph (the header library hnswlib-node ships),
// wrapped so that
//   - searches can run on libuv's thread pool (searchAsync), leaving the event loop free
//     for the wire protocol and letting every core search;
//   - ef is a per-search argument instead of shared index state, so concurrent searches
//     with different hnsw.ef_search settings do not race;
//   - builds add points from several threads (addBatchAsync);
//   - a filter is either a JS callback (synchronous searches, evaluated on the event loop)
//     or a bitmap over labels (asynchronous searches: no JS runs on the pool threads).
//   - a new element's neighbour lists are filled up to their size, as pgvector's are,
//     and no element loses its last base-layer link in (the two specializations below).
// Vectors arrive as Float32Array, never as JS number arrays.
#include <napi.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "hnswlib/hnswlib.h"

// Neighbour selection for float graphs (every graph this addon builds), replacing hnswlib's
// getNeighborsByHeuristic2 by explicit specialization. Same diversity rule (keep a
// candidate only if it is nearer the base than to every neighbour kept so far), but the
// slots the rule leaves empty are then filled with the nearest rejected candidates: the
// HNSW paper's keepPrunedConnections, which pgvector applies and hnswlib does not. On
// clustered data of high intrinsic dimension hnswlib's lists stay far below M and
// recall stays low (bench/recall-at-scale.ts: 1M×128, m=16, ef_construction=64, recall@10
// at ef 320 0.92 with hnswlib's lists, 0.96 with full ones). A new element's own lists are
// chosen this way; a neighbour's full list taking the new element back is refilled to half
// its size only (see mutuallyConnectNewElement). Both specializations must be
// declared before anything instantiates HierarchicalNSW<float>::addPoint.
namespace quiver {

using Candidate = std::pair<float, hnswlib::tableint>;
using FloatGraph = hnswlib::HierarchicalNSW<float>;

// Nearest first; among equal distances the larger id first, the order hnswlib uses.
void SortNearestFirst(std::vector<Candidate>& candidates) {
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.first < b.first || (a.first == b.first && a.second > b.second);
  });
}

// Splits candidates (nearest first) into the ones the diversity rule keeps (at most m) and
// the rest, both nearest first.
void Diversify(const FloatGraph& g, const std::vector<Candidate>& nearest_first, size_t m,
               std::vector<Candidate>& kept, std::vector<Candidate>& rejected) {
  kept.reserve(m);
  rejected.reserve(nearest_first.size());
  for (const Candidate& candidate : nearest_first) {
    bool diverse = kept.size() < m;
    for (size_t i = 0; diverse && i < kept.size(); i++) {
      float between = g.fstdistfunc_(g.getDataByInternalId(kept[i].second),
                                     g.getDataByInternalId(candidate.second), g.dist_func_param_);
      if (between < candidate.first) diverse = false;
    }
    (diverse ? kept : rejected).push_back(candidate);
  }
}

// How many base-layer lists link to each element, kept in the last byte of the element's
// own 32-bit base-layer list header (hnswlib keeps the list's count in the first two bytes
// and its delete mark in the third; the fourth is unused and saved with the graph). With
// full lists, a list that overflows drops one of its links, and on low-dimensional data
// that was sometimes an element's only way in: it was never found again, even at ef 1000
// (about 1 row in 5,000; hnswlib's sparse lists rarely overflow). Knowing the in-degree,
// the overflow drops another link instead. Only 0, 1 and "more" matter, so the count
// saturates at 255 and then stays put. Updated atomically: lists of different elements
// change under different locks.
uint8_t* InDegree(const FloatGraph& g, hnswlib::tableint id) {
  return reinterpret_cast<uint8_t*>(g.get_linklist0(id)) + 3;
}

constexpr uint8_t kSaturated = 0xff;

void CountLink(const FloatGraph& g, hnswlib::tableint id) {
  uint8_t* counter = InDegree(g, id);
  uint8_t seen = __atomic_load_n(counter, __ATOMIC_RELAXED);
  while (seen != kSaturated &&
         !__atomic_compare_exchange_n(counter, &seen, static_cast<uint8_t>(seen + 1), true, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED)) {
  }
}

void CountUnlink(const FloatGraph& g, hnswlib::tableint id) {
  uint8_t* counter = InDegree(g, id);
  uint8_t seen = __atomic_load_n(counter, __ATOMIC_RELAXED);
  while (seen != 0 && seen != kSaturated &&
         !__atomic_compare_exchange_n(counter, &seen, static_cast<uint8_t>(seen - 1), true, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED)) {
  }
}

// Recounts every element's in-degree from the base layer: after a load (files from before
// the counts, or from plain hnswlib, hold zeros there) and after hnswlib's own update path,
// which rewrites lists without counting.
void RecountInDegrees(const FloatGraph& g) {
  size_t count = g.cur_element_count;
  for (hnswlib::tableint id = 0; id < count; id++) *InDegree(g, id) = 0;
  for (hnswlib::tableint id = 0; id < count; id++) {
    hnswlib::linklistsizeint* list = g.get_linklist0(id);
    auto* links = reinterpret_cast<hnswlib::tableint*>(list + 1);
    for (size_t j = 0; j < g.getListCount(list); j++) CountLink(g, links[j]);
  }
}

}  // namespace quiver

template <>
void hnswlib::HierarchicalNSW<float>::getNeighborsByHeuristic2(
    std::priority_queue<std::pair<float, tableint>, std::vector<std::pair<float, tableint>>, CompareByFirst>&
        top_candidates,
    const size_t M) {
  if (top_candidates.size() < M) return;
  std::vector<quiver::Candidate> nearest_first;
  nearest_first.reserve(top_candidates.size());
  while (!top_candidates.empty()) {
    nearest_first.push_back(top_candidates.top());
    top_candidates.pop();
  }
  quiver::SortNearestFirst(nearest_first);
  std::vector<quiver::Candidate> kept;
  std::vector<quiver::Candidate> rejected;
  quiver::Diversify(*this, nearest_first, M, kept, rejected);
  for (size_t i = 0; i < rejected.size() && kept.size() < M; i++) kept.push_back(rejected[i]);
  for (const auto& neighbour : kept) top_candidates.push(neighbour);
}

// Links a new (or updated) element to its selected neighbours on one layer and back. Unlike
// hnswlib, which gives a new element at most m links on every layer, the base layer gets up
// to 2m, its full list size, as pgvector's inserts do: with full lists on both sides the
// 1M×128 graph reached pgvector's recall at equal ef (0.908 at ef 40). Returns the nearest
// selected neighbour, where the insert continues on the layer below.
template <>
hnswlib::tableint hnswlib::HierarchicalNSW<float>::mutuallyConnectNewElement(
    const void* /* data_point */, tableint cur_c,
    std::priority_queue<std::pair<float, tableint>, std::vector<std::pair<float, tableint>>, CompareByFirst>&
        top_candidates,
    int level, bool isUpdate) {
  const size_t list_size = level ? maxM_ : maxM0_;
  getNeighborsByHeuristic2(top_candidates, list_size);
  if (top_candidates.size() > list_size) throw std::runtime_error("neighbour selection returned too many candidates");
  // Farthest first, as the queue pops; the last one is the nearest.
  std::vector<tableint> selected;
  selected.reserve(top_candidates.size());
  while (!top_candidates.empty()) {
    selected.push_back(top_candidates.top().second);
    top_candidates.pop();
  }
  if (selected.empty()) throw std::runtime_error("no neighbour to link a new element to");

  {
    // A new element's own lock is already held by addPoint; an update's is not.
    std::unique_lock<std::mutex> lock(link_list_locks_[cur_c], std::defer_lock);
    if (isUpdate) lock.lock();
    linklistsizeint* own = level == 0 ? get_linklist0(cur_c) : get_linklist(cur_c, level);
    // (The rest of a new element's base-layer header may be set: lists already link to it.)
    if (getListCount(own) != 0 && !isUpdate) throw std::runtime_error("a new element's neighbour list is not empty");
    tableint* links = reinterpret_cast<tableint*>(own + 1);
    // (An update's old links are not uncounted here: Index recounts after every update.)
    for (size_t i = 0; i < selected.size(); i++) {
      if (level > element_levels_[selected[i]]) throw std::runtime_error("link to a layer the neighbour lacks");
      links[i] = selected[i];
      if (level == 0) quiver::CountLink(*this, selected[i]);
    }
    setListCount(own, static_cast<unsigned short>(selected.size()));
  }

  for (tableint neighbour : selected) {
    if (neighbour == cur_c) throw std::runtime_error("an element linked to itself");
    std::unique_lock<std::mutex> lock(link_list_locks_[neighbour]);
    linklistsizeint* theirs = level == 0 ? get_linklist0(neighbour) : get_linklist(neighbour, level);
    size_t count = getListCount(theirs);
    if (count > list_size) throw std::runtime_error("neighbour list longer than its size");
    tableint* links = reinterpret_cast<tableint*>(theirs + 1);
    if (isUpdate && std::find(links, links + count, cur_c) != links + count) continue;
    if (count < list_size) {
      links[count] = cur_c;
      setListCount(theirs, static_cast<unsigned short>(count + 1));
      if (level == 0) quiver::CountLink(*this, cur_c);
      continue;
    }
    // Full: choose again among the old links and the new element. The diverse ones stay,
    // the nearest rejected ones refill the list to half its size, and a rejected link that
    // is its target's last way in stays too; the rest are dropped. Refilling to the full
    // size here (every list always full, as pgvector keeps them) made each insert drop a
    // link from each neighbour, and some rows lost every link from their own region:
    // unreachable even at ef 1000 (about 1 in 2,000 rows of 4-dimensional data). Half-full
    // lists leave free slots, so the next reverse links are appended instead. Measured on
    // clustered-1m-128 (bench/RESULTS.md): recall per CPU second as with full lists, builds
    // ~3× faster; recall at equal ef 0.891 instead of 0.908 at ef 40, 0.957 instead of 0.964
    // at ef 320 (fewer links walked per step).
    const char* base = getDataByInternalId(neighbour);
    std::vector<quiver::Candidate> pool;
    pool.reserve(count + 1);
    pool.emplace_back(fstdistfunc_(getDataByInternalId(cur_c), base, dist_func_param_), cur_c);
    for (size_t j = 0; j < count; j++)
      pool.emplace_back(fstdistfunc_(getDataByInternalId(links[j]), base, dist_func_param_), links[j]);
    quiver::SortNearestFirst(pool);
    std::vector<quiver::Candidate> kept;
    std::vector<quiver::Candidate> rejected;
    quiver::Diversify(*this, pool, list_size, kept, rejected);
    // In-degrees are counted on the base layer only; the upper layers drop freely.
    auto last_way_in = [&](tableint id) {
      return level == 0 && id != cur_c && __atomic_load_n(quiver::InDegree(*this, id), __ATOMIC_RELAXED) <= 1;
    };
    const size_t refill_to = list_size / 2;
    size_t size = 0;
    for (const auto& candidate : kept) links[size++] = candidate.second;
    std::vector<tableint> dropped;
    for (const auto& candidate : rejected) {
      if (size < list_size && (size < refill_to || last_way_in(candidate.second)))
        links[size++] = candidate.second;
      else
        dropped.push_back(candidate.second);
    }
    setListCount(theirs, static_cast<unsigned short>(size));
    bool has_new = std::find(links, links + size, cur_c) != links + size;
    if (level == 0) {
      for (tableint id : dropped)
        if (id != cur_c) quiver::CountUnlink(*this, id);
      if (has_new) quiver::CountLink(*this, cur_c);
    }
  }
  return selected.back();
}

namespace {

using Graph = hnswlib::HierarchicalNSW<float>;

enum class Space { L2, IP, Cosine };

Space ParseSpace(const std::string& name) {
  if (name == "l2") return Space::L2;
  if (name == "ip") return Space::IP;
  if (name == "cosine") return Space::Cosine;
  throw std::invalid_argument("unknown space " + name + " (expected l2, ip or cosine)");
}

// Allows labels whose bit is set (bit i of byte i/8, least significant first).
class BitmapFilter : public hnswlib::BaseFilterFunctor {
 public:
  BitmapFilter(const uint8_t* bits, size_t length) : bits_(bits), length_(length) {}
  bool operator()(hnswlib::labeltype label) override {
    size_t byte = label >> 3;
    return byte < length_ && ((bits_[byte] >> (label & 7)) & 1) != 0;
  }

 private:
  const uint8_t* bits_;
  size_t length_;
};

// Calls a JS predicate per candidate label; only valid on the event-loop thread.
class CallbackFilter : public hnswlib::BaseFilterFunctor {
 public:
  CallbackFilter(Napi::Env env, Napi::Function fn) : env_(env), fn_(fn) {}
  bool operator()(hnswlib::labeltype label) override {
    Napi::Value result = fn_.Call({Napi::Number::New(env_, static_cast<double>(label))});
    return result.ToBoolean().Value();
  }

 private:
  Napi::Env env_;
  Napi::Function fn_;
};

struct Hits {
  std::vector<uint32_t> labels;
  std::vector<float> distances;
};

Napi::Object HitsToJs(Napi::Env env, const Hits& hits) {
  size_t n = hits.labels.size();
  auto labels = Napi::Uint32Array::New(env, n);
  auto distances = Napi::Float32Array::New(env, n);
  std::copy(hits.labels.begin(), hits.labels.end(), labels.Data());
  std::copy(hits.distances.begin(), hits.distances.end(), distances.Data());
  auto out = Napi::Object::New(env);
  out.Set("labels", labels);
  out.Set("distances", distances);
  return out;
}

const float* FloatsOf(const Napi::Value& value, size_t expected, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw std::invalid_argument(std::string(what) + " must be a Float32Array");
  auto array = value.As<Napi::Float32Array>();
  if (array.ElementLength() != expected)
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(array.ElementLength()) +
                                " floats, expected " + std::to_string(expected));
  return array.Data();
}

uint32_t LabelOf(const Napi::Value& value) {
  double label = value.As<Napi::Number>().DoubleValue();
  if (!(label >= 0 && label <= 4294967295.0) || std::floor(label) != label)
    throw std::invalid_argument("label must be an integer in 0..2^32-1");
  return static_cast<uint32_t>(label);
}

// The size of hnswlib's saveIndex file for `g`.
size_t SerializedSize(const Graph& g) {
  size_t total = sizeof(g.offsetLevel0_) + sizeof(g.max_elements_) + sizeof(size_t) +
                 sizeof(g.size_data_per_element_) + sizeof(g.label_offset_) + sizeof(g.offsetData_) +
                 sizeof(g.maxlevel_) + sizeof(g.enterpoint_node_) + sizeof(g.maxM_) + sizeof(g.maxM0_) +
                 sizeof(g.M_) + sizeof(g.mult_) + sizeof(g.ef_construction_);
  const size_t count = g.cur_element_count;
  total += count * g.size_data_per_element_;
  for (size_t i = 0; i < count; i++) {
    total += sizeof(unsigned int) + (g.element_levels_[i] > 0 ? g.size_links_per_element_ * g.element_levels_[i] : 0);
  }
  return total;
}

// Writes hnswlib's saveIndex file for `g` to `at` (SerializedSize bytes), field by field in
// its order; cur_element_count is written as a plain size_t.
void SerializeInto(const Graph& g, char* at) {
  auto put = [&at](const void* bytes, size_t n) {
    std::memcpy(at, bytes, n);
    at += n;
  };
  const size_t count = g.cur_element_count;
  put(&g.offsetLevel0_, sizeof(g.offsetLevel0_));
  put(&g.max_elements_, sizeof(g.max_elements_));
  put(&count, sizeof(count));
  put(&g.size_data_per_element_, sizeof(g.size_data_per_element_));
  put(&g.label_offset_, sizeof(g.label_offset_));
  put(&g.offsetData_, sizeof(g.offsetData_));
  put(&g.maxlevel_, sizeof(g.maxlevel_));
  put(&g.enterpoint_node_, sizeof(g.enterpoint_node_));
  put(&g.maxM_, sizeof(g.maxM_));
  put(&g.maxM0_, sizeof(g.maxM0_));
  put(&g.M_, sizeof(g.M_));
  put(&g.mult_, sizeof(g.mult_));
  put(&g.ef_construction_, sizeof(g.ef_construction_));
  put(g.data_level0_memory_, count * g.size_data_per_element_);
  for (size_t i = 0; i < count; i++) {
    const unsigned int size = g.element_levels_[i] > 0 ? g.size_links_per_element_ * g.element_levels_[i] : 0;
    put(&size, sizeof(size));
    if (size) put(g.linkLists_[i], size);
  }
}

class Index : public Napi::ObjectWrap<Index> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(
        env, "Index",
        {InstanceMethod("add", &Index::Add), InstanceMethod("addBatch", &Index::AddBatchSync),
         InstanceMethod("addBatchAsync", &Index::AddBatchAsync),
         InstanceMethod("remove", &Index::Remove), InstanceMethod("resize", &Index::Resize),
         InstanceMethod("capacity", &Index::Capacity), InstanceMethod("count", &Index::Count),
         InstanceMethod("labels", &Index::Labels), InstanceMethod("search", &Index::SearchSync),
         InstanceMethod("searchAsync", &Index::SearchAsync), InstanceMethod("save", &Index::Save),
         InstanceMethod("serialize", &Index::Serialize),
         InstanceMethod("serializeAsync", &Index::SerializeAsync), InstanceMethod("load", &Index::Load),
         InstanceMethod("loadAsync", &Index::LoadAsync)});
    exports.Set("Index", cls);
    return exports;
  }

  // new Index(space, dimensions, capacity, m, efConstruction, seed)
  explicit Index(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Index>(info) {
    try {
      space_kind_ = ParseSpace(info[0].As<Napi::String>().Utf8Value());
      dimensions_ = info[1].As<Napi::Number>().Uint32Value();
      if (dimensions_ == 0) throw std::invalid_argument("dimensions must be positive");
      size_t capacity = info[2].As<Napi::Number>().Uint32Value();
      size_t m = info[3].As<Napi::Number>().Uint32Value();
      size_t ef_construction = info[4].As<Napi::Number>().Uint32Value();
      size_t seed = info[5].As<Napi::Number>().Uint32Value();
      MakeSpace();
      graph_ = std::make_unique<Graph>(space_.get(), capacity, m, ef_construction, seed);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
  }

  // The vector as the graph stores it: unit length under cosine (hnswlib's cosine is the
  // inner product of normalized vectors).
  std::vector<float> Prepared(const float* vector) const {
    std::vector<float> out(vector, vector + dimensions_);
    if (space_kind_ == Space::Cosine) {
      double norm = 0;
      for (float x : out) norm += static_cast<double>(x) * x;
      norm = std::sqrt(norm);
      if (norm > 0)
        for (float& x : out) x = static_cast<float>(x / norm);
    }
    return out;
  }

  void AddPrepared(const float* vector, uint32_t label) {
    std::vector<float> data = Prepared(vector);
    graph_->addPoint(data.data(), label);
  }

  // hnswlib's searchKnn with ef as an argument: greedy descent through the upper layers,
  // then a best-first search of the base layer with ef candidates.
  Hits SearchPrepared(const float* query, size_t k, size_t ef, hnswlib::BaseFilterFunctor* filter) const {
    Hits hits;
    const Graph& g = *graph_;
    if (g.cur_element_count == 0 || k == 0) return hits;
    hnswlib::tableint current = g.enterpoint_node_;
    float best = g.fstdistfunc_(query, g.getDataByInternalId(current), g.dist_func_param_);
    for (int level = g.maxlevel_; level > 0; level--) {
      bool changed = true;
      while (changed) {
        changed = false;
        unsigned int* list = g.get_linklist(current, level);
        int size = g.getListCount(list);
        auto* neighbours = reinterpret_cast<hnswlib::tableint*>(list + 1);
        for (int i = 0; i < size; i++) {
          float d = g.fstdistfunc_(query, g.getDataByInternalId(neighbours[i]), g.dist_func_param_);
          if (d < best) {
            best = d;
            current = neighbours[i];
            changed = true;
          }
        }
      }
    }
    size_t width = std::max(ef, k);
    auto top = (g.num_deleted_ == 0 && filter == nullptr)
                   ? g.searchBaseLayerST<true>(current, query, width, filter)
                   : g.searchBaseLayerST<false>(current, query, width, filter);
    while (top.size() > k) top.pop();
    size_t n = top.size();
    hits.labels.resize(n);
    hits.distances.resize(n);
    for (size_t i = n; i-- > 0;) {
      hits.distances[i] = top.top().first;
      hits.labels[i] = static_cast<uint32_t>(g.getExternalLabel(top.top().second));
      top.pop();
    }
    return hits;
  }

  size_t Dimensions() const { return dimensions_; }
  Graph& graph() { return *graph_; }

  // Replaces the graph with a file's (hnswlib's format); the file is read before the lock.
  void LoadFrom(const std::string& path) {
    auto graph = std::make_unique<Graph>(space_.get(), path, false, 0, false);
    quiver::RecountInDegrees(*graph);
    std::unique_lock<std::shared_mutex> lock(resize_lock_);
    graph_ = std::move(graph);
  }

  // Shared by searches and adds, exclusive for resize and load: hnswlib's resize moves the
  // graph's memory under a running search.
  mutable std::shared_mutex resize_lock_;

 private:
  void MakeSpace() {
    if (space_kind_ == Space::L2)
      space_ = std::make_unique<hnswlib::L2Space>(dimensions_);
    else
      space_ = std::make_unique<hnswlib::InnerProductSpace>(dimensions_);
  }

  // add(label, vector) → whether the label became live (it was absent or deleted): adds,
  // or replaces the vector of an existing label and undeletes it.
  Napi::Value Add(const Napi::CallbackInfo& info) {
    bool became_live = true;
    bool existed = false;
    try {
      uint32_t label = LabelOf(info[0]);
      const float* vector = FloatsOf(info[1], dimensions_, "vector");
      std::shared_lock<std::shared_mutex> lock(resize_lock_);
      {
        std::unique_lock<std::mutex> table(graph_->label_lookup_lock);
        auto found = graph_->label_lookup_.find(label);
        existed = found != graph_->label_lookup_.end();
        became_live = !existed || graph_->isMarkedDeleted(found->second);
      }
      AddPrepared(vector, label);
      // hnswlib's update path rewrote lists without counting links.
      if (existed) quiver::RecountInDegrees(*graph_);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
    return Napi::Boolean::New(info.Env(), became_live);
  }

  // addBatch(labels, vectors, threads): addBatchAsync's work on the calling thread plus
  // helper threads; for worker threads, where blocking is fine.
  Napi::Value AddBatchSync(const Napi::CallbackInfo& info);

  Napi::Value AddBatchAsync(const Napi::CallbackInfo& info);
  Napi::Value SearchAsync(const Napi::CallbackInfo& info);

  // remove(label): marks it deleted; false when the label is absent or already deleted.
  Napi::Value Remove(const Napi::CallbackInfo& info) {
    uint32_t label = LabelOf(info[0]);
    try {
      std::shared_lock<std::shared_mutex> lock(resize_lock_);
      graph_->markDelete(label);
    } catch (const std::exception&) {
      return Napi::Boolean::New(info.Env(), false);
    }
    return Napi::Boolean::New(info.Env(), true);
  }

  Napi::Value Resize(const Napi::CallbackInfo& info) {
    size_t capacity = info[0].As<Napi::Number>().Uint32Value();
    try {
      std::unique_lock<std::shared_mutex> lock(resize_lock_);
      graph_->resizeIndex(capacity);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
    return info.Env().Undefined();
  }

  Napi::Value Capacity(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(graph_->max_elements_));
  }

  // Elements in the graph, deleted ones included.
  Napi::Value Count(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(graph_->cur_element_count.load()));
  }

  // labels() → { live: Uint32Array, deleted: Uint32Array }, each in ascending order.
  Napi::Value Labels(const Napi::CallbackInfo& info) {
    std::vector<uint32_t> live;
    std::vector<uint32_t> deleted;
    {
      std::shared_lock<std::shared_mutex> lock(resize_lock_);
      std::unique_lock<std::mutex> table(graph_->label_lookup_lock);
      for (const auto& entry : graph_->label_lookup_) {
        (graph_->isMarkedDeleted(entry.second) ? deleted : live).push_back(static_cast<uint32_t>(entry.first));
      }
    }
    std::sort(live.begin(), live.end());
    std::sort(deleted.begin(), deleted.end());
    auto out = Napi::Object::New(info.Env());
    auto toJs = [&](const std::vector<uint32_t>& v) {
      auto array = Napi::Uint32Array::New(info.Env(), v.size());
      std::copy(v.begin(), v.end(), array.Data());
      return array;
    };
    out.Set("live", toJs(live));
    out.Set("deleted", toJs(deleted));
    return out;
  }

  // search(query, k, ef, filter?) on the calling thread; filter(label) → boolean.
  Napi::Value SearchSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Hits hits;
    try {
      std::vector<float> query = Prepared(FloatsOf(info[0], dimensions_, "query"));
      size_t k = info[1].As<Napi::Number>().Uint32Value();
      size_t ef = info[2].As<Napi::Number>().Uint32Value();
      std::shared_lock<std::shared_mutex> lock(resize_lock_);
      if (info.Length() > 3 && info[3].IsFunction()) {
        CallbackFilter filter(env, info[3].As<Napi::Function>());
        hits = SearchPrepared(query.data(), k, ef, &filter);
      } else {
        hits = SearchPrepared(query.data(), k, ef, nullptr);
      }
    } catch (const Napi::Error&) {
      throw;  // an exception thrown by the JS filter: propagate it unchanged
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
    return HitsToJs(env, hits);
  }

  // save(path): hnswlib's own file format (the one hnswlib-node writes).
  Napi::Value Save(const Napi::CallbackInfo& info) {
    try {
      std::unique_lock<std::shared_mutex> lock(resize_lock_);
      graph_->saveIndex(info[0].As<Napi::String>().Utf8Value());
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
    return info.Env().Undefined();
  }

  // serialize(): the bytes save(path) writes, built in memory (a temporary file and reading
  // it back took several times as long). serializeAsync() does it on the thread pool, so a
  // checkpoint's event loop keeps running (adds and synchronous searches wait for it).
  Napi::Value Serialize(const Napi::CallbackInfo& info) {
    std::unique_lock<std::shared_mutex> lock(resize_lock_);
    Napi::Buffer<char> out = Napi::Buffer<char>::New(info.Env(), SerializedSize(*graph_));
    SerializeInto(*graph_, out.Data());
    return out;
  }
  Napi::Value SerializeAsync(const Napi::CallbackInfo& info);

  // load(path): replaces the graph with the file's. loadAsync(path) reads it on the thread
  // pool (a recovered graph's file is hundreds of MB).
  Napi::Value Load(const Napi::CallbackInfo& info) {
    try {
      LoadFrom(info[0].As<Napi::String>().Utf8Value());
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
    return info.Env().Undefined();
  }
  Napi::Value LoadAsync(const Napi::CallbackInfo& info);

  Space space_kind_ = Space::L2;
  size_t dimensions_ = 0;
  std::unique_ptr<hnswlib::SpaceInterface<float>> space_;
  std::unique_ptr<Graph> graph_;
};

// Adds `count` points from `threads` threads (hnswlib's inserts lock per node); returns
// the first error's message, or "" when all were added.
std::string AddBatch(Index& index, const uint32_t* labels, const float* vectors, size_t count, size_t threads) {
  std::atomic<size_t> next{0};
  std::mutex error_lock;
  std::string error;
  size_t dims = index.Dimensions();
  auto work = [&]() {
    for (size_t i = next++; i < count; i = next++) {
      try {
        index.AddPrepared(vectors + i * dims, labels[i]);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> guard(error_lock);
        if (error.empty()) error = e.what();
        next = count;
      }
    }
  };
  std::shared_lock<std::shared_mutex> lock(index.resize_lock_);
  size_t before = index.graph().cur_element_count;
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::max<size_t>(1, threads); t++) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  // Labels already present went through hnswlib's update path, which does not count links.
  if (index.graph().cur_element_count - before != count) quiver::RecountInDegrees(index.graph());
  return error;
}

// Checks addBatch's arguments: labels a Uint32Array, vectors labels × dims floats, room left.
void CheckBatch(Index& index, const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    throw std::invalid_argument("labels must be a Uint32Array");
  size_t count = info[0].As<Napi::Uint32Array>().ElementLength();
  FloatsOf(info[1], count * index.Dimensions(), "vectors");
  if (index.graph().cur_element_count + count > index.graph().max_elements_)
    throw std::invalid_argument("batch exceeds the index capacity; resize first");
}

Napi::Value Index::AddBatchSync(const Napi::CallbackInfo& info) {
  std::string error;
  try {
    CheckBatch(*this, info);
    auto labels = info[0].As<Napi::Uint32Array>();
    error = AddBatch(*this, labels.Data(), info[1].As<Napi::Float32Array>().Data(), labels.ElementLength(),
                     info[2].As<Napi::Number>().Uint32Value());
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Napi::Error::New(info.Env(), error);
  return info.Env().Undefined();
}

// A call on libuv's thread pool that settles a promise: the index object stays referenced
// (not collected) until it is done.
class IndexWorker : public Napi::AsyncWorker {
 public:
  IndexWorker(Napi::Env env, Index* index, Napi::Object self)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        index_(index),
        self_(Napi::Persistent(self)) {}

  // Queues the worker and returns its promise.
  Napi::Value Start() {
    Napi::Promise promise = deferred_.Promise();
    Queue();
    return promise;
  }

  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 protected:
  Napi::Promise::Deferred deferred_;
  Index* index_;

 private:
  Napi::ObjectReference self_;
};

// Resolves a promise with the search's hits; the index object and the bitmap are kept
// referenced until the search is done.
class SearchWorker : public IndexWorker {
 public:
  SearchWorker(Napi::Env env, Index* index, Napi::Object self, std::vector<float> query, size_t k, size_t ef,
               Napi::Value bitmap)
      : IndexWorker(env, index, self),
        query_(std::move(query)),
        k_(k),
        ef_(ef) {
    if (bitmap.IsTypedArray()) {
      auto bytes = bitmap.As<Napi::Uint8Array>();
      bitmap_ref_ = Napi::Persistent(bitmap.As<Napi::Object>());
      bits_ = bytes.Data();
      bits_length_ = bytes.ByteLength();
      filtered_ = true;
    }
  }

  void Execute() override {
    try {
      std::shared_lock<std::shared_mutex> lock(index_->resize_lock_);
      if (filtered_) {
        BitmapFilter filter(bits_, bits_length_);
        hits_ = index_->SearchPrepared(query_.data(), k_, ef_, &filter);
      } else {
        hits_ = index_->SearchPrepared(query_.data(), k_, ef_, nullptr);
      }
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  void OnOK() override { deferred_.Resolve(HitsToJs(Env(), hits_)); }

 private:
  Napi::ObjectReference bitmap_ref_;
  std::vector<float> query_;
  size_t k_;
  size_t ef_;
  const uint8_t* bits_ = nullptr;
  size_t bits_length_ = 0;
  bool filtered_ = false;
  Hits hits_;
};

// searchAsync(query, k, ef, bitmap?) → Promise<{ labels, distances }>, run on the thread pool.
Napi::Value Index::SearchAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    std::vector<float> query = Prepared(FloatsOf(info[0], dimensions_, "query"));
    size_t k = info[1].As<Napi::Number>().Uint32Value();
    size_t ef = info[2].As<Napi::Number>().Uint32Value();
    Napi::Value bitmap = info.Length() > 3 ? info[3] : env.Undefined();
    if (!bitmap.IsUndefined() && !bitmap.IsNull() &&
        !(bitmap.IsTypedArray() && bitmap.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array))
      throw std::invalid_argument("bitmap must be a Uint8Array");
    auto* worker = new SearchWorker(env, this, info.This().As<Napi::Object>(), std::move(query), k, ef, bitmap);
    return worker->Start();
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// Adds a batch from `threads` threads (hnswlib's inserts lock per node), off the event loop.
class AddBatchWorker : public IndexWorker {
 public:
  AddBatchWorker(Napi::Env env, Index* index, Napi::Object self, Napi::Uint32Array labels, Napi::Float32Array vectors,
                 size_t threads)
      : IndexWorker(env, index, self),
        labels_ref_(Napi::Persistent(labels.As<Napi::Object>())),
        vectors_ref_(Napi::Persistent(vectors.As<Napi::Object>())),
        labels_(labels.Data()),
        vectors_(vectors.Data()),
        count_(labels.ElementLength()),
        threads_(std::max<size_t>(1, threads)) {}

  void Execute() override {
    std::string error = AddBatch(*index_, labels_, vectors_, count_, threads_);
    if (!error.empty()) SetError(error);
  }

 private:
  Napi::ObjectReference labels_ref_;
  Napi::ObjectReference vectors_ref_;
  const uint32_t* labels_;
  const float* vectors_;
  size_t count_;
  size_t threads_;
};

// addBatchAsync(labels: Uint32Array, vectors: Float32Array (labels.length × dims), threads)
// → Promise<void>. The caller keeps capacity sufficient and does not touch the arrays
// until the promise settles.
Napi::Value Index::AddBatchAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    CheckBatch(*this, info);
    auto labels = info[0].As<Napi::Uint32Array>();
    size_t threads = info[2].As<Napi::Number>().Uint32Value();
    auto* worker = new AddBatchWorker(env, this, info.This().As<Napi::Object>(), labels,
                                      info[1].As<Napi::Float32Array>(), threads);
    return worker->Start();
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// Copies the graph as hnswlib's file on the thread pool, holding the index exclusively.
class SerializeWorker : public IndexWorker {
 public:
  SerializeWorker(Napi::Env env, Index* index, Napi::Object self)
      : IndexWorker(env, index, self) {}

  ~SerializeWorker() override { std::free(bytes_); }

  void Execute() override {
    std::unique_lock<std::shared_mutex> lock(index_->resize_lock_);
    const Graph& g = index_->graph();
    size_ = SerializedSize(g);
    bytes_ = static_cast<char*>(std::malloc(std::max<size_t>(size_, 1)));
    if (!bytes_) return SetError("out of memory serializing the index");
    SerializeInto(g, bytes_);
    capacity_ = g.max_elements_;
    for (const auto& entry : g.label_lookup_) {
      if (g.isMarkedDeleted(entry.second)) deleted_.push_back(static_cast<uint32_t>(entry.first));
    }
    std::sort(deleted_.begin(), deleted_.end());
  }

  void OnOK() override {
    Napi::Env env = Env();
    char* bytes = bytes_;
    bytes_ = nullptr;  // owned by the Buffer from here
    auto out = Napi::Object::New(env);
    out.Set("file", Napi::Buffer<char>::New(env, bytes, size_, [](Napi::Env, char* data) { std::free(data); }));
    auto deleted = Napi::Uint32Array::New(env, deleted_.size());
    std::copy(deleted_.begin(), deleted_.end(), deleted.Data());
    out.Set("deleted", deleted);
    out.Set("capacity", Napi::Number::New(env, static_cast<double>(capacity_)));
    deferred_.Resolve(out);
  }

 private:
  char* bytes_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  std::vector<uint32_t> deleted_;
};

// serializeAsync() → Promise<{ file, deleted, capacity }>: serialize(), labels().deleted and
// capacity() as of one moment, on the thread pool.
Napi::Value Index::SerializeAsync(const Napi::CallbackInfo& info) {
  auto* worker = new SerializeWorker(info.Env(), this, info.This().As<Napi::Object>());
  return worker->Start();
}

// Replaces the index's graph with a file's, read on the thread pool.
class LoadWorker : public IndexWorker {
 public:
  LoadWorker(Napi::Env env, Index* index, Napi::Object self, std::string path)
      : IndexWorker(env, index, self),
        path_(std::move(path)) {}

  void Execute() override {
    try {
      index_->LoadFrom(path_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

 private:
  std::string path_;
};

// loadAsync(path) → Promise<void>: load(path) on the thread pool.
Napi::Value Index::LoadAsync(const Napi::CallbackInfo& info) {
  auto* worker = new LoadWorker(info.Env(), this, info.This().As<Napi::Object>(),
                                info[0].As<Napi::String>().Utf8Value());
  return worker->Start();
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
#ifdef __GLIBC__
  // glibc raises its mmap threshold to the size of the largest block freed so far (up to
  // 32 MiB): after a segment's buffer is freed, every later buffer below that size comes
  // from the heap, and a heap left fragmented by a long-lived graph is never given back. A
  // fixed threshold keeps big buffers (index builds, segments, read-ahead chunks) in their
  // own mappings, returned to the system when freed: measured at 1M×128 after CREATE INDEX,
  // ~430 MB less resident (bench/RESULTS.md "Memory").
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
  return Index::Init(env, exports);
}

}  // namespace

NODE_API_MODULE(quiver_hnsw, InitModule)
