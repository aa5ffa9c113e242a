// ecg_inputs.h — ECG records in the prompt: encode with the tower + projector
// and write the rows over the <|ecg_pad|> embeddings.
#pragma once

#include <vector>

#include "engine/model.h"
#include "preprocess/ecg_signal.h"
#include "text/prompt.h"

namespace ecgr1 {

// One [tokens, H] block of embeddings per ECG, in prompt order.
std::vector<std::vector<float>> EncodeEcgs(const Model& model, const std::vector<EcgTowerInput>& ecgs);

// Writes each ECG's rows at its <|ecg_pad|> run in `embeds` [L, H].
void ScatterEcgRows(const PromptPlan& plan, const std::vector<std::vector<float>>& rows, size_t hidden,
                    float* embeds);

}  // namespace ecgr1
