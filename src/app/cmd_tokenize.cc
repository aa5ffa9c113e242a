// cmd_tokenize.cc — `ecgr1 tokenize -m MODEL [--special] [--json] TEXT|-`.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "engine/model.h"

namespace ecgr1 {
namespace {

struct TokenizeFlags {
  std::string model, text;
  bool special = false, json = false;
};

int Run(const TokenizeFlags& f) {
  const std::string text = TextArgument(f.text, "text");
  const Model model(FindModel(f.model));
  const Tokenizer& tok = model.tokenizer();
  const std::vector<int32_t> ids = tok.Encode(text, f.special);
  if (f.json) {
    nlohmann::json pieces = nlohmann::json::array();
    for (int32_t id : ids) pieces.push_back(tok.Piece(id));
    const nlohmann::json out = {{"ids", ids}, {"pieces", pieces}};
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    for (int32_t id : ids) std::printf("%d\t%s\n", id, tok.Piece(id).c_str());
  }
  return 0;
}

}  // namespace

Command AddTokenizeCommand(CLI::App& app) {
  auto f = std::make_shared<TokenizeFlags>();
  CLI::App* sub = app.add_subcommand("tokenize", "Show the token ids and pieces of a text");
  sub->add_option("-m,--model", f->model, "Model file (.ecgr1); default $ECGR1_MODEL or " + std::string(kDefaultModelPath));
  sub->add_flag("--special", f->special, "Recognise special-token strings such as <|im_end|> in the text");
  sub->add_flag("--json", f->json, "Print {\"ids\": [...], \"pieces\": [...]}");
  sub->add_option("text", f->text, "Text to tokenize, or - for standard input")->required();
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
