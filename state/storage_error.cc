#include "state/storage_error.h"

#include <string>

namespace ceipal::state {

Error StorageError(std::string_view operation, const std::exception& cause) {
  std::string message(operation);
  message += ": ";
  message += cause.what();
  return Error{ErrorKind::kStorage, std::move(message)};
}

}  // namespace ceipal::state
