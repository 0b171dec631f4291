# Finds a JDK >= 22 on this machine, for ./mvnw and .ci/run (sourced by both; POSIX sh).
# pick_jdk prints the home of the newest JDK >= 22 among JAVA_HOME, the standard install folders and the java on the
# PATH, or fails with the places it looked. use_jdk_if_needed does nothing when JAVA_HOME is set (the user chose) or
# the java on the PATH is already >= 22; otherwise it exports JAVA_HOME as pick_jdk finds it, and says so on stderr.

allocspec_required_java=22

java_major() { # prints the feature version of the java at $1/bin/java, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

pick_jdk() {
  _globbing_was_off=0
  case $- in *f*) _globbing_was_off=1; set +f ;; esac
  _best="" _best_major=0
  for _c in "${JAVA_HOME:-}" /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
            "${HOME:-/nonexistent}"/.sdkman/candidates/java/* \
            /Library/Java/JavaVirtualMachines/*/Contents/Home \
            "$(command -v java >/dev/null 2>&1 \
               && dirname "$(dirname "$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)")")"; do
    [ -n "$_c" ] && [ -x "$_c/bin/java" ] && [ -x "$_c/bin/javac" ] || continue
    _major=$(java_major "$_c" || true)
    [ -n "$_major" ] || continue
    if [ "$_major" -ge "$allocspec_required_java" ] && [ "$_major" -gt "$_best_major" ]; then
      _best="$_c"; _best_major="$_major"
    fi
  done
  [ "$_globbing_was_off" = 0 ] || set -f
  if [ -z "$_best" ]; then
    echo "no JDK >= $allocspec_required_java found (looked at JAVA_HOME, /usr/lib/jvm, /usr/java, /opt, ~/.sdkman and" \
         "the PATH): install one, or point JAVA_HOME at it" >&2
    return 1
  fi
  echo "$_best"
}

use_jdk_if_needed() {
  [ -z "${JAVA_HOME:-}" ] || return 0
  if command -v java >/dev/null 2>&1; then
    _default=$(dirname "$(dirname "$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)")")
    _default_major=$(java_major "$_default" || true)
    if [ -n "$_default_major" ] && [ "$_default_major" -ge "$allocspec_required_java" ]; then
      return 0
    fi
  else
    _default_major=none
  fi
  _picked=$(pick_jdk) || return 0 # the enforcer then says what is missing
  JAVA_HOME="$_picked"
  export JAVA_HOME
  echo "allocspec: JAVA_HOME is not set and the default java is ${_default_major:-unknown}; using the JDK" \
       "$(java_major "$_picked") at $_picked" >&2
}
