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

// What the words before the one being completed say: the verb, the positionals given, and the
// flag whose value the word being completed is. The host flags among them go into `globals`, so
// names come from the cluster the line is about.
struct CompletionLine {
  std::string verb;
  CLI::App* verb_app = nullptr;
  int positionals = 0;
  std::string previous_flag;
};

CompletionLine ReadLine(CLI::App& root, GlobalOptions& globals,
                        const std::vector<std::string>& words) {
  CompletionLine line;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (StartsWith(w, "-")) {
      const std::string flag = w.substr(0, w.find('='));
      const bool takes = w.find('=') == std::string::npos &&
                         TakesValue(line.verb_app != nullptr ? *line.verb_app : root, flag);
      if (takes) {
        if (i + 1 == words.size()) {
          line.previous_flag = flag;
        } else {
          if (flag == "--kubeconfig") globals.host.kubeconfig = words[i + 1];
          if (flag == "--context") globals.host.context = words[i + 1];
          if (flag == "-n" || flag == "--namespace") globals.host.namespace_ = words[i + 1];
          ++i;
        }
      }
      continue;
    }
    if (line.verb.empty()) {
      line.verb = w;
      try {
        line.verb_app = root.get_subcommand(w);
      } catch (const CLI::OptionNotFound&) {
        line.verb_app = nullptr;
      }
    } else {
      ++line.positionals;
    }
  }
  return line;
}

// The names of the virtual clusters on the host (in -n when given); none when it cannot be asked.
std::vector<std::string> ClusterNames(GlobalOptions& globals) {
  std::vector<std::string> names;
  globals.host.request_timeout = "5s";
  auto host = OpenHost(globals);
  if (!host.ok()) return names;
  auto infos = lifecycle::List(*host->client, host->namespace_given ? host->namespace_ : "");
  if (!infos.ok()) return names;
  for (const auto& i : *infos) names.push_back(i.name);
  return names;
}

std::vector<std::string> NamespaceNames(GlobalOptions& globals) {
  std::vector<std::string> names;
  globals.host.request_timeout = "5s";
  auto host = OpenHost(globals);
  if (!host.ok()) return names;
  auto list = host->client->ListAll(kube::resources::kNamespaces, "", {});
  if (!list.ok()) return names;
  for (const auto& ns : list->items) {
    names.push_back(ns.value("/metadata/name"_json_pointer, std::string()));
  }
  return names;
}

bool TakesClusterName(const std::string& verb) {
  return verb == "describe" || verb == "connect" || verb == "pause" || verb == "resume" ||
         verb == "upgrade" || verb == "delete";
}

// Candidates for the value of `flag`, and the directive: files may be completed only for a
// flag that takes a file.
std::vector<std::string> FlagValueCandidates(GlobalOptions& globals, const std::string& flag,
                                             int* directive) {
  if (flag == "-o" || flag == "--output") return {"table", "json", "yaml", "name"};
  if (flag == "--profile") {
    std::vector<std::string> profiles;
    for (auto p : values::ProfileNames()) profiles.emplace_back(p);
    return profiles;
  }
  if (flag == "-f" || flag == "--values" || flag == "--kubeconfig") {
    *directive = kDefault;
    return {};
  }
  if (flag == "-n" || flag == "--namespace") return NamespaceNames(globals);
  return {};  // A value nobody can guess (a port, a URL, a duration).
}

// Candidates for the word being completed, before filtering by what is typed of it.
std::vector<std::string> Candidates(CLI::App& root, GlobalOptions& globals,
                                    const CompletionLine& line, const std::string& partial,
                                    int* directive) {
  if (!line.previous_flag.empty()) {
    return FlagValueCandidates(globals, line.previous_flag, directive);
  }
  if (StartsWith(partial, "-")) return FlagNames(line.verb_app != nullptr ? *line.verb_app : root);
  if (line.verb.empty()) {
    std::vector<std::string> verbs;
    for (const CLI::App* sub : root.get_subcommands({})) {
      if (!sub->get_group().empty()) verbs.push_back(sub->get_name());
    }
    return verbs;
  }
  if (line.positionals == 0 && TakesClusterName(line.verb)) return ClusterNames(globals);
  return {};
}

}  // namespace

int Complete(CLI::App& root, GlobalOptions& globals, std::vector<std::string> words) {
  const std::string partial = words.empty() ? "" : words.back();
  if (!words.empty()) words.pop_back();
  const CompletionLine line = ReadLine(root, globals, words);
  int directive = kNoFileComp;
  for (const auto& c : Candidates(root, globals, line, partial, &directive)) {
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
