# shellcheck shell=bash
# Stage timing for the test and CI scripts, so that every run shows where its time
# goes. Source this file from bash, then call
#
#   begin_stage NAME   prints "==> stage PREFIXNAME" and starts the clock
#   end_stage          prints "==> stage PREFIXNAME took N s"
#
# where PREFIX is $stage_prefix, empty unless the caller sets it.

stage_prefix=${stage_prefix:-}
stage_name=""
stage_started=0

begin_stage() {
    stage_name=$1
    stage_started=$SECONDS
    echo "==> stage $stage_prefix$stage_name"
}

end_stage() {
    echo "==> stage $stage_prefix$stage_name took $((SECONDS - stage_started)) s"
    stage_name=""
}
