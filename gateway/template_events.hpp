#pragma once
// TEMPLATESENDJOBFINISH (docs/protocol/template-messages.md): the platform's report of a template message's delivery,
// applied to the outbox row that sent it.
#include "gateway/callbacks.hpp"

namespace xiaoqu::gateway {

void register_template_events(Callbacks& callbacks);

}  // namespace xiaoqu::gateway
