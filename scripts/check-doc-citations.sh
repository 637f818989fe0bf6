#!/usr/bin/env bash
# Fails when the code cites a document the repository does not have, or when a page under docs/
# points at a file, a page or an anchor that is not there. Run by ctest (doc_citations) and by hand:
#   bash scripts/check-doc-citations.sh
set -uo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

problems=0
say() { printf '%s\n' "$*" >&2; problems=$((problems + 1)); }

# Source and data files that carry comments, outside build trees and dependencies.
sources() {
  find . \( -path ./.git -o -path './build*' -o -path '*/node_modules' -o -path ./var \
    -o -path ./scripts/check-doc-citations.sh \) -prune -o -type f \
    \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.mjs' -o -name '*.js' \
       -o -name '*.ts' -o -name '*.vue' -o -name '*.json' -o -name CMakeLists.txt -o -name '*.cmake' \) -print
}

# 1. Every docs/….md a comment cites exists (the same pattern the landing hook uses).
while IFS= read -r hit; do
  file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; doc=${rest#*:}
  case $doc in
    ../shared/*) say "$file:$line cites $doc, which is outside the repository: cite a page under docs/" ;;
    *) [ -e "$doc" ] || say "$file:$line cites $doc, which does not exist" ;;
  esac
done < <(sources | xargs grep -noE '(\.\./shared/)?docs/[A-Za-z0-9_./-]+\.md' 2>/dev/null)

# 2. No citation of the old outside document by section number ("docs section 8", "(docs 4.2)").
while IFS= read -r hit; do
  say "${hit%%:*}:$(cut -d: -f2 <<<"$hit") cites a section of the old outside protocol document: cite docs/protocol/<page>.md"
done < <(sources | xargs grep -nE 'wechat-protocol\.md|\bdocs (sections? )?[0-9]+(\.[0-9]+)?\b' 2>/dev/null)

# GitHub's heading anchors: lower case, ASCII punctuation but '-' and '_' dropped, spaces to '-'.
anchors_of() {
  sed -nE 's/^#{1,6}[[:space:]]+(.*[^[:space:]])[[:space:]]*$/\1/p' "$1" |
    tr 'A-Z' 'a-z' | sed -E 's/[][!"#$%&'\''()*+,./:;<=>?@\\^`{|}~]//g; s/ /-/g'
}

# A path named in a page exists; a glob such as wechat/msg_crypt.* matches at least one file.
exists() {
  local path=${1%/}
  if [[ $path == *[*?]* ]]; then compgen -G "$path" >/dev/null; else [ -e "$path" ]; fi
}

# 3. Relative links in docs/ (and their anchors) resolve; the protocol pages' backticked
#    repository paths exist, so a file that moves takes its page along.
top_dirs='bench|cli|community|config|docs|examples|gateway|notify|sandbox|scripts|services|spreadsheet|store|tests|web|wechat|wecom'
while IFS= read -r page; do
  dir=$(dirname "$page")
  while IFS= read -r hit; do
    line=${hit%%:*}; target=${hit#*:}; target=${target#](}; target=${target%)}
    case $target in http://*|https://*|mailto:*) continue ;; esac
    path=${target%%#*}; anchor=; [[ $target == *#* ]] && anchor=${target#*#}
    file=$page; [ -n "$path" ] && file=$dir/$path
    if [ ! -e "$file" ]; then say "$page:$line links to $target, which does not exist"; continue; fi
    if [ -n "$anchor" ] && [[ $file == *.md ]] && ! anchors_of "$file" | grep -qxF -- "$anchor"; then
      say "$page:$line links to $target: no such heading in $file"
    fi
  done < <(grep -noE '\]\([^)[:space:]]+\)' "$page")
  [[ $page == docs/protocol/* ]] || continue
  while IFS= read -r hit; do
    line=${hit%%:*}; path=${hit#*:\`}; path=${path%\`}
    exists "$path" || say "$page:$line names $path, which does not exist"
  done < <(grep -noE "\`($top_dirs)/[A-Za-z0-9_./*-]*\`" "$page")
done < <(find docs -name '*.md' | sort)

if [ "$problems" -gt 0 ]; then
  printf '%d broken citation(s) or link(s); see docs/protocol/README.md\n' "$problems" >&2
  exit 1
fi
echo "doc citations: every cited document, link and path exists"
