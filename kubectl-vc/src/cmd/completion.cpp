// SPDX-License-Identifier: Apache-2.0
// Shell completion. kubectl completes plugins by running `kubectl_complete-vc WORDS...` (the
// words after `kubectl vc`, the last one being completed) and reading cobra's format: one
// candidate a line, then `:DIRECTIVE` (0 default, 4 no file completion). Our
// kubectl_complete-vc script calls `kubectl-vc __complete`; `kubectl vc completion bash|zsh`
// prints the same for kubectl-vc used on its own.
#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/cli/values/profiles.h"

namespace vc::cli::cmd {

namespace {

constexpr int kDefault = 0;
constexpr int kNoFileComp = 4;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool TakesValue(const CLI::App& app, const std::string& flag) {
  for (const CLI::App* a : {&app, app.get_parent()}) {
    if (a == nullptr) continue;
    for (const CLI::Option* o : a->get_options()) {
      if (o->get_expected_min() == 0) continue;
      for (const auto& n : o->get_lnames()) {
        if (flag == "--" + n) return true;
      }
      for (const auto& n : o->get_snames()) {
        if (flag == "-" + n) return true;
      }
    }
  }
  return false;
}

std::vector<std::string> FlagNames(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::App* a : {&app, app.get_parent()}) {
    if (a == nullptr) continue;
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& n : o->get_lnames()) out.push_back("--" + n);
    }
  }
  return out;
}

}  // namespace

int Complete(CLI::App& root, GlobalOptions& globals, std::vector<std::string> words) {
  const std::string partial = words.empty() ? "" : words.back();
  if (!words.empty()) words.pop_back();
  std::vector<std::string> candidates;
  int directive = kNoFileComp;
  // The verb, the positionals given, the flag before the word being completed.
  std::string verb;
  int positionals = 0;
  std::string previous_flag;
  CLI::App* verb_app = nullptr;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (StartsWith(w, "-")) {
      const std::string flag = w.substr(0, w.find('='));
      const bool takes = w.find('=') == std::string::npos &&
                         TakesValue(verb_app != nullptr ? *verb_app : root, flag);
      if (takes) {
        if (i + 1 == words.size()) {
          previous_flag = flag;
        } else {
          if (flag == "--kubeconfig") globals.host.kubeconfig = words[i + 1];
          if (flag == "--context") globals.host.context = words[i + 1];
          if (flag == "-n" || flag == "--namespace") globals.host.namespace_ = words[i + 1];
          ++i;
        }
      }
      continue;
    }
    if (verb.empty()) {
      verb = w;
      try {
        verb_app = root.get_subcommand(w);
      } catch (const CLI::OptionNotFound&) {
        verb_app = nullptr;
      }
    } else {
      ++positionals;
    }
  }
  auto names_of_clusters = [&] {
    globals.host.request_timeout = "5s";
    auto host = OpenHost(globals);
    if (!host.ok()) return;
    auto infos = lifecycle::List(*host->client, host->namespace_given ? host->namespace_ : "");
    if (!infos.ok()) return;
    for (const auto& i : *infos) candidates.push_back(i.name);
  };
  if (previous_flag == "-o" || previous_flag == "--output") {
    candidates = {"table", "json", "yaml", "name"};
  } else if (previous_flag == "--profile") {
    for (auto p : values::ProfileNames()) candidates.emplace_back(p);
  } else if (previous_flag == "-f" || previous_flag == "--values" ||
             previous_flag == "--kubeconfig") {
    directive = kDefault;
  } else if (previous_flag == "-n" || previous_flag == "--namespace") {
    globals.host.request_timeout = "5s";
    auto host = OpenHost(globals);
    if (host.ok()) {
      auto list = host->client->ListAll(kube::resources::kNamespaces, "", {});
      if (list.ok()) {
        for (const auto& ns : list->items) {
          candidates.push_back(ns.value("/metadata/name"_json_pointer, std::string()));
        }
      }
    }
  } else if (!previous_flag.empty()) {
    // A value nobody can guess (a port, a URL, a duration).
  } else if (StartsWith(partial, "-")) {
    candidates = FlagNames(verb_app != nullptr ? *verb_app : root);
  } else if (verb.empty()) {
    for (const CLI::App* sub : root.get_subcommands({})) {
      if (!sub->get_group().empty()) candidates.push_back(sub->get_name());
    }
  } else if (positionals == 0 && (verb == "describe" || verb == "connect" || verb == "pause" ||
                                  verb == "resume" || verb == "upgrade" || verb == "delete")) {
    names_of_clusters();
  }
  for (const auto& c : candidates) {
    if (StartsWith(c, partial)) globals.Out() << c << "\n";
  }
  globals.Out() << ":" << directive << "\n";
  return 0;
}

namespace {

constexpr const char* kBash =
    R"(# kubectl-vc completion for bash: source <(kubectl-vc completion bash)
_kubectl_vc() {
  local IFS=$'\n' out
  out=$(kubectl-vc __complete "${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null)
  COMPREPLY=($(printf '%s\n' "$out" | grep -v '^:'))
  if [[ "$out" == *":0" && ${#COMPREPLY[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}"))
  fi
}
complete -F _kubectl_vc kubectl-vc
)";

}  // namespace

void AddCompletionCommands(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto shell = std::make_shared<std::string>();
  CLI::App* completion = app.add_subcommand(
      "completion",
      "Print a shell completion script. Within kubectl, `kubectl vc <TAB>` completes through "
      "the kubectl_complete-vc program installed next to kubectl-vc.\n\nExamples:\n"
      "  source <(kubectl-vc completion bash)\n"
      "  source <(kubectl-vc completion zsh)");
  completion->add_option("SHELL", *shell, "bash|zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion->callback([&globals, shell, action] {
    *action = [&globals, shell] {
      if (*shell == "zsh") globals.Out() << "autoload -U +X bashcompinit && bashcompinit\n";
      globals.Out() << kBash;
      return 0;
    };
  });
}

}  // namespace vc::cli::cmd
