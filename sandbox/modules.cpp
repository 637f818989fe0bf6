#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {

// One registration function per API group; each lives in its own file.
void register_modules(Sandbox& sb) { (void)sb; }

}  // namespace xiaoqu::sandbox
