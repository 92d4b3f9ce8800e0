// How a resource is paged so that nothing is skipped while the source moves
// under the read: keyset paging on the modified time (DESIGN.md section 5).
//
// Pages are asked sorted by modified time ascending; after each page the
// next query starts just below the last modified second seen, so a record
// that changes during the read moves to the end and is met again instead of
// shifting the pages after it. Page numbers are used only inside one second
// holding more than a page. Overlap is absorbed by the differ.
//
// A KeysetPager is plain state, owned by whoever reads; PreparePage is a pure
// function. Both may be used from any thread, one pager per thread.
#ifndef CEIPAL_ENGINE_KEYSET_PAGER_H_
#define CEIPAL_ENGINE_KEYSET_PAGER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/catalogue.h"
#include "engine/ceipal_client.h"
#include "engine/error.h"
#include "engine/fetcher.h"
#include "engine/normalizer.h"
#include "engine/page_decoder.h"
#include "engine/timestamp.h"

namespace ceipal::engine {

inline constexpr int kPageLimit = 50;

// A record of a page that could not be normalized: it goes to quarantine.
struct BadRecord {
  size_t position;  // in the page's results
  std::string id;   // "" when it has none
  std::string error;
};

// One list page, decoded and normalized, ready for the writer.
struct PreparedPage {
  FetchRequest request;
  bool missing = false;  // 404: nothing (more) matches
  std::unique_ptr<DecodedPage> page;
  size_t records = 0;  // records the page carried
  std::vector<NormalizedRecord> good;
  std::vector<size_t> good_position;  // in the page's results
  std::vector<BadRecord> bad;
  std::optional<int64_t> first_unix;  // modified of its first good record
  std::optional<int64_t> last_unix;   // and of its last
};

// Decodes and normalizes one answer. A 404 is a missing page, not an error;
// a transport error or an undecodable body is.
Result<PreparedPage> PreparePage(const ResourceSpec& spec, FetchRequest request,
                                 Result<ApiResponse> response,
                                 const SourceClock& clock);

// The range a read covers, in Unix seconds of the source's modified time:
// strictly after `after` and strictly before `before`, each unbounded when
// absent.
struct PagerBounds {
  std::optional<int64_t> after;
  std::optional<int64_t> before;
};

class KeysetPager {
 public:
  KeysetPager(const ResourceSpec& spec, std::string scope, PagerBounds bounds,
              const SourceClock& clock);

  // The request for the current position.
  FetchRequest Next() const;

  // Moves past `page`, which answered Next(). Returns false once the range
  // has been read to its end.
  bool Advance(const PreparedPage& page);

  const PagerBounds& bounds() const { return bounds_; }
  // The lower bound of what is still to read (strictly after).
  std::optional<int64_t> after() const { return bounds_.after; }
  int page_number() const { return page_number_; }

 private:
  const ResourceSpec& spec_;
  std::string scope_;
  PagerBounds bounds_;
  SourceClock clock_;
  std::optional<int64_t> window_;  // the second being paged by number
  int64_t window_count_ = -1;
  int window_restarts_ = 0;
  int page_number_ = 1;
};

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_KEYSET_PAGER_H_
