#!/usr/bin/env bash
# fresh-check: README's quick start ("make check", "make demo") as the very first commands on a
# fresh Debian 12 (bookworm) machine.
#
# The fresh machine is a new debootstrap --variant=minbase root holding only what a user who
# just got the sources would have added (make, ca-certificates), a clean clone of the
# repository's committed HEAD in /work/main and a copy of ../shared in /work/shared. Inside it,
# as root with a clean environment: `make check`, then `make demo` until the dashboard answers,
# then Ctrl-C (SIGINT to its process group), which must stop everything the demo started.
#
# Usage (as root):
#   bash tests/fresh/fresh-check.sh               the check above (make fresh-check)
#   bash tests/fresh/fresh-check.sh --exec CMD    set the root up, run the shell command CMD in
#                                                 /work/main inside it instead, clean up
# Environment:
#   FRESH_DIR            work folder (/var/tmp/hbmon-fresh): root/, the logs, the cached
#                        debootstrap download (debootstrap-*.tgz)
#   FRESH_REFRESH=1      download the base system again (it is also redone after 7 days)
#   FRESH_CHECK_TIMEOUT  seconds make check may take (7200)
#   FRESH_DEMO_TIMEOUT   seconds make demo may take until the dashboard answers (900)
#   FRESH_KEEP_ROOT=1    keep root/ after a successful run (a failed run always keeps it, for
#                        inspection; the next run deletes it)
set -euo pipefail

SUITE=bookworm
VARIANT=minbase
INCLUDE=make,ca-certificates          # what a user adds to a new machine to run `make`
FALLBACK_MIRROR=http://deb.debian.org/debian
FALLBACK_SECURITY=http://deb.debian.org/debian-security
DEMO_URL=http://127.0.0.1:8080/
DEMO_PORTS=(8080 8081)                # the collector's dashboard, the communes' portals
STOP_GRACE=30                         # seconds the demo may take to stop after Ctrl-C
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

FRESH_DIR=${FRESH_DIR:-/var/tmp/hbmon-fresh}
CHECK_TIMEOUT=${FRESH_CHECK_TIMEOUT:-7200}
DEMO_TIMEOUT=${FRESH_DEMO_TIMEOUT:-900}

# The repository is the one this script lives in, wherever it is checked out.
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Filled in as the run goes; read by the summary and the cleanup.
ROOT=""
MOUNTED=0              # 1 once mount_root started: the cleanup must unmount
DEMO_PID=""            # the demo's process (and process group) while it may run
STARTED=$SECONDS
declare -A TIME=()     # phase -> seconds
declare -A RESULT=()   # phase -> pass | fail
declare -A NOTE=()     # phase -> what happened
HTTP_STATUS="-"
INTERRUPTED=0
HEAD_DESC=""

log() { printf 'fresh-check: %s\n' "$*"; }
die() { printf 'fresh-check: ERROR: %s\n' "$*" >&2; exit 1; }
fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# --- host preparation ---------------------------------------------------------------------

require_root() {
	if [[ $(id -u) != 0 ]]; then
		printf 'fresh-check: must run as root (debootstrap, chroot and mounts need it);\n' >&2
		printf '             try: sudo bash %s\n' "${BASH_SOURCE[0]}" >&2
		exit 2
	fi
}

# Installs a host package only when its command is missing (apt-get update first, only then).
ensure_host_tool() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null && return 0
	log "installing $pkg on the host (its command $cmd is missing)"
	# another apt run (someone's make deps) may hold the lock: wait for it rather than fail
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
		--no-install-recommends "$pkg" >/dev/null
}

# FRESH_DIR gets rm -rf'd below: insist on an absolute path without surprises.
check_fresh_dir() {
	case $FRESH_DIR in
	/*) ;;
	*) die "FRESH_DIR must be an absolute path (it is '$FRESH_DIR')" ;;
	esac
	if [[ $FRESH_DIR =~ [[:space:]] ]]; then die "FRESH_DIR must not contain white space"; fi
	mkdir -p "$FRESH_DIR"
	FRESH_DIR=$(realpath "$FRESH_DIR")
	if [[ $FRESH_DIR == / ]]; then die "FRESH_DIR must not be /"; fi
	ROOT=$FRESH_DIR/root
	CHECK_LOG=$FRESH_DIR/check.log
	DEMO_LOG=$FRESH_DIR/demo.log
	SETUP_LOG=$FRESH_DIR/debootstrap.log
	# one run at a time per FRESH_DIR: a second one would delete the first one's root
	exec 9>"$FRESH_DIR/lock"
	flock -n 9 || die "another fresh-check is running in $FRESH_DIR"
	rm -f "$CHECK_LOG" "$DEMO_LOG" "$FRESH_DIR/dashboard.html"   # no stale logs in the summary
}

# Prints "SUITE URI" for every deb source of the host: deb822 .sources stanzas, and one-line
# "deb [options] URI SUITE COMPONENTS" entries of sources.list and sources.list.d/*.list.
host_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk '
			function flush(   i, j, nu, ns, u, s) {
				if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^no/) {
					nu = split(uris, u); ns = split(suites, s)
					for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print s[j], u[i]
				}
				types = uris = suites = enabled = last = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ {   # a continuation line of a multi-line field
				if (last == "uris") uris = uris " " $0
				else if (last == "suites") suites = suites " " $0
				next
			}
			{
				key = tolower($0); sub(/:.*/, "", key)
				val = $0; sub(/^[^:]*:[ \t]*/, "", val); last = key
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "enabled") enabled = tolower(val)
			}
			END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		awk '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			if (i + 1 <= NF) print $(i + 1), $i
		}' "$f"
	done
}

# MIRROR: the main Debian archive the host installs bookworm from (third-party repositories
# may name bookworm too, so the path must end in /debian); SECURITY: its security archive.
find_mirrors() {
	local suite uri
	MIRROR="" SECURITY=""
	while read -r suite uri; do
		uri=${uri%/}
		[[ $uri =~ ^(https?|ftp):// ]] || continue   # debootstrap cannot use mirror+file: etc.
		if [[ -z $MIRROR && $suite == "$SUITE" && $uri == */debian ]]; then MIRROR=$uri; fi
		if [[ -z $SECURITY && $suite == "$SUITE-security" ]]; then SECURITY=$uri; fi
	done < <(host_sources)
	if [[ -z $MIRROR ]]; then
		MIRROR=$FALLBACK_MIRROR
		log "no $SUITE Debian mirror in the host's apt sources: using $MIRROR"
	fi
	if [[ -z $SECURITY ]]; then
		SECURITY=$FALLBACK_SECURITY
		log "no $SUITE-security source on the host: using $SECURITY"
	fi
}

# Room for the base system, the Debian packages make deps installs (~1.5 GB with Chromium),
# two builds and shared/.
check_space() {
	local need=$((5 * 1024 * 1024 * 1024 + SHARED_BYTES)) avail
	avail=$(df --output=avail -B1 "$FRESH_DIR" | tail -n 1)
	((avail >= need)) || die "$FRESH_DIR has $((avail >> 20)) MiB free, needs $((need >> 20)) MiB"
}

# --- mounts and processes of the root -----------------------------------------------------

# Mount points at or under the root, in mount order (children after their parents).
mounts_under_root() {
	awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo
}

# PIDs of the processes whose root directory is the chroot (or a folder of it).
chroot_pids() {
	local p link
	for p in /proc/[0-9]*; do
		link=$(readlink "$p/root" 2>/dev/null) || continue
		if [[ $link == "$ROOT" || $link == "$ROOT"/* ]]; then echo "${p#/proc/}"; fi
	done
}

# Ends what still runs in the root (ours: nothing else runs there), TERM then KILL.
kill_chroot_procs() {
	local pids i
	pids=$(chroot_pids)
	[[ -z $pids ]] && return 0
	log "stopping processes left in the root: $(echo "$pids" | tr '\n' ' ')"
	# shellcheck disable=SC2086  # one PID a word
	kill -TERM $pids 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		[[ -z $(chroot_pids) ]] && return 0
		sleep 0.2
	done
	pids=$(chroot_pids)
	if [[ -n $pids ]]; then
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null || true
		sleep 0.5
	fi
}

# The root is bind-mounted on itself first: `ip netns exec` makes "/" a slave mount, which
# fails (EINVAL) when the chroot's "/" is not a mount point. Every bind is made private, so
# that nothing mounted inside (by us, by ip netns) propagates back to the host's /dev or
# /run, should the host's mounts be shared (systemd makes them so).
mount_root() {
	MOUNTED=1
	mount --bind "$ROOT" "$ROOT"
	mount --make-private "$ROOT"
	mount -t proc -o nosuid,nodev,noexec proc "$ROOT/proc"
	mount -t sysfs -o nosuid,nodev,noexec sysfs "$ROOT/sys"   # ip netns exec remounts it
	mount --bind /dev "$ROOT/dev"
	mount --make-private "$ROOT/dev"
	mount --bind /dev/pts "$ROOT/dev/pts"
	mount --make-private "$ROOT/dev/pts"
	mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$ROOT/dev/shm"   # Chromium's shared memory
	mount -t tmpfs -o nosuid,nodev,mode=755 run "$ROOT/run"        # /run/netns of ip netns
}

# Unmounts everything under the root, ours and whatever the tests left (a namespace bound in
# /run/netns), in reverse mount order; a lazy unmount when a normal one is refused.
unmount_root() {
	local m
	while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "cannot unmount $m"
	done < <(mounts_under_root | tac)
	if [[ -n $(mounts_under_root) ]]; then
		log "still mounted under $ROOT:"
		mounts_under_root >&2
		return 1
	fi
	MOUNTED=0
}

# Deletes a root, never while anything is mounted in it. --one-file-system: should a mount
# have escaped the check, rm stops at it instead of emptying the host's /dev or /sys.
remove_root() {
	[[ -e $ROOT ]] || return 0
	kill_chroot_procs
	unmount_root || die "refusing to delete $ROOT while something is mounted in it"
	rm -rf --one-file-system -- "$ROOT"
	[[ ! -e $ROOT ]] || die "could not delete $ROOT"
}

# --- the fresh root -----------------------------------------------------------------------

# The debootstrap download, cached: the packages of the base system as a tarball, unpacked
# and installed anew each run, so each run starts from an unmodified base system. Redone
# when the mirror or the package set changes, after 7 days, or with FRESH_REFRESH=1.
base_tarball() {
	local key work
	key="$SUITE $ARCH $VARIANT $INCLUDE $MIRROR"
	TARBALL=$FRESH_DIR/debootstrap-$SUITE-$ARCH-$VARIANT.tgz
	local tarball=$TARBALL
	if [[ ${FRESH_REFRESH:-0} != 1 && -s $tarball && $(cat "$tarball.key" 2>/dev/null) == "$key" &&
		-z $(find "$tarball" -mtime +7) ]]; then
		log "using the cached base system download $tarball"
		return 0
	fi
	log "downloading the $SUITE base system from $MIRROR"
	work=$FRESH_DIR/download
	rm -rf --one-file-system -- "$work" "$tarball" "$tarball.key"
	debootstrap --variant="$VARIANT" --include="$INCLUDE" --arch="$ARCH" \
		--make-tarball="$tarball.part" "$SUITE" "$work" "$MIRROR" >>"$SETUP_LOG" 2>&1 ||
		{ tail -n 20 "$SETUP_LOG" >&2; die "debootstrap --make-tarball failed (see $SETUP_LOG)"; }
	mv "$tarball.part" "$tarball"
	echo "$key" >"$tarball.key"
	rm -rf --one-file-system -- "$work"
}

build_root() {
	local t0=$SECONDS
	: >"$SETUP_LOG"
	ARCH=$(dpkg --print-architecture)
	base_tarball
	log "installing a new $SUITE $VARIANT root in $ROOT"
	debootstrap --variant="$VARIANT" --include="$INCLUDE" --arch="$ARCH" \
		--unpack-tarball="$TARBALL" "$SUITE" "$ROOT" "$MIRROR" >>"$SETUP_LOG" 2>&1 ||
		{ tail -n 20 "$SETUP_LOG" >&2; die "debootstrap failed (see $SETUP_LOG)"; }
	# --unpack-tarball leaves the downloaded packages in apt's cache; an installed system has none
	find "$ROOT/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -delete
	TIME[debootstrap]=$((SECONDS - t0))
}

# What the Debian installer leaves that debootstrap does not: apt sources with the updates and
# security suites (as the host has them), name resolution.
configure_root() {
	rm -f "$ROOT/etc/apt/sources.list"
	cat >"$ROOT/etc/apt/sources.list.d/debian.sources" <<-EOF
		Types: deb
		URIs: $MIRROR
		Suites: $SUITE $SUITE-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: $SECURITY
		Suites: $SUITE-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	rm -f "$ROOT/etc/resolv.conf"
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
	if [[ ! -s $ROOT/etc/hosts ]]; then
		printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
			>"$ROOT/etc/hosts"
	fi
	# Package scripts would start snmpd, rrdcached and snmp_exporter as daemons (a booted
	# machine runs them under systemd). In a chroot they would run in the host's network
	# namespace, outlive the run and keep the root busy; Debian's container images deny them
	# the same way.
	printf '#!/bin/sh\n# fresh-check: no daemons started by package scripts in this chroot\nexit 101\n' \
		>"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
}

# A clean clone of the committed HEAD (uncommitted changes are not what a user gets), and
# shared/ as CI has it beside the clone (cp -a keeps its modes: read-only).
copy_sources() {
	local repo head
	repo=$(git -c safe.directory='*' -C "$SCRIPT_DIR" rev-parse --show-toplevel)
	head=$(git -c safe.directory='*' -C "$repo" rev-parse HEAD)
	HEAD_DESC=$(git -c safe.directory='*' -C "$repo" log -1 --format='%h %s' "$head" | cut -c1-72)
	log "cloning $repo at $HEAD_DESC"
	mkdir -p "$ROOT/work"
	git -c safe.directory='*' clone -q --no-hardlinks "$repo" "$ROOT/work/main"
	# the clone checks out the origin's branch; a worktree of it may be elsewhere
	if [[ $(git -C "$ROOT/work/main" rev-parse HEAD) != "$head" ]]; then
		git -C "$ROOT/work/main" -c advice.detachedHead=false checkout -q "$head"
	fi
	log "copying $SHARED ($((SHARED_BYTES >> 20)) MiB)"
	cp -a "$SHARED" "$ROOT/work/shared"
}

# The command line that runs a shell command in /work/main inside the root, as root with a
# clean environment, as a fresh login would have it: "${IN_ROOT[@]}" 'make check'.
set_in_root() {
	# shellcheck disable=SC2016  # $1 is the inner shell's: the command, passed as an argument
	IN_ROOT=(chroot "$ROOT" /usr/bin/env -i PATH="$CHROOT_PATH" HOME=/root LANG=C.UTF-8
		TERM=dumb CI=true /bin/sh -c 'cd /work/main && eval "$1"' sh)
}

# --- phases -------------------------------------------------------------------------------

# Waits for a background job, printing the log's last line now and then, so a long make check
# shows it is alive. Returns the job's status.
wait_job() {
	local pid=$1 logfile=$2 next=$((SECONDS + 120)) rc=0
	while kill -0 "$pid" 2>/dev/null; do
		if ((SECONDS >= next)); then
			log "  ... $(tail -n 1 "$logfile" | cut -c1-100)"
			next=$((SECONDS + 120))
		fi
		sleep 2
	done
	wait "$pid" || rc=$?
	return "$rc"
}

# Someone else's hbmon tests on this machine share its network with the chroot: their fixed
# snmpsim endpoints (UDP 1161) or namespace subnet would collide with ours.
warn_concurrent_tests() {
	if [[ -n $(ss -Hlun 'sport = :1161' 2>/dev/null) ]]; then
		log "WARNING: UDP port 1161 is in use on this machine (another hbmon test run?);"
		log "         the system tests use fixed 127.x.x.x:1161 endpoints and may collide"
	fi
}

port_busy() { [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]; }

phase_check() {
	local t0=$SECONDS rc=0 port
	warn_concurrent_tests
	for port in "${DEMO_PORTS[@]}"; do
		if port_busy "$port"; then
			log "WARNING: TCP port $port is in use now; the demo after make check needs it free"
		fi
	done
	log "make check (log: $CHECK_LOG; up to $(fmt_time "$CHECK_TIMEOUT"))"
	# timeout puts make check in a process group of its own and ends all of it on expiry
	timeout -k 30 "$CHECK_TIMEOUT" "${IN_ROOT[@]}" 'make check' >"$CHECK_LOG" 2>&1 </dev/null &
	wait_job $! "$CHECK_LOG" || rc=$?
	kill_chroot_procs   # a timed-out check may leave daemons behind
	TIME[check]=$((SECONDS - t0))
	if ((rc == 0)); then
		RESULT[check]=pass NOTE[check]="exit 0"
	elif ((rc == 124)); then
		RESULT[check]=fail NOTE[check]="timed out after $(fmt_time "$CHECK_TIMEOUT")"
	else
		RESULT[check]=fail NOTE[check]="exit $rc"
	fi
	log "make check: ${RESULT[check]} (${NOTE[check]}, $(fmt_time "${TIME[check]}"))"
}

# make demo in the background, in a process group of its own as a terminal's foreground job
# would be; the dashboard is read from the host (the chroot shares its network).
phase_demo() {
	local port t0 code answered
	for port in "${DEMO_PORTS[@]}"; do
		if port_busy "$port"; then
			log "TCP port $port is already in use on this machine (another demo or test run?):"
			ss -Hltnp "sport = :$port" >&2 || true
			RESULT[answer]=fail NOTE[answer]="port $port busy before the start: not run"
			return 1
		fi
	done
	log "make demo (log: $DEMO_LOG; waiting up to $(fmt_time "$DEMO_TIMEOUT") for $DEMO_URL)"
	t0=$SECONDS
	# setsid: its own session and process group, like a job in a terminal. Background jobs of a
	# script start with SIGINT ignored, which make and Python would keep: reset it, or the
	# Ctrl-C below would be ignored.
	setsid env --default-signal=INT,QUIT "${IN_ROOT[@]}" 'exec make demo' \
		>"$DEMO_LOG" 2>&1 </dev/null &
	DEMO_PID=$!
	# not a group leader when forked by a non-interactive shell: setsid did not fork again
	if [[ $(ps -o pgid= -p "$DEMO_PID" | tr -d ' ') != "$DEMO_PID" ]]; then
		sleep 0.5
		[[ $(ps -o pgid= -p "$DEMO_PID" | tr -d ' ') == "$DEMO_PID" ]] ||
			die "the demo is not the leader of its process group"
	fi
	# poll until 200; another status may be a daemon still starting: give it a minute more
	code=000 answered=""
	while ((SECONDS - t0 < DEMO_TIMEOUT)); do
		code=$(curl -s -o "$FRESH_DIR/dashboard.html" -w '%{http_code}' --max-time 10 "$DEMO_URL") ||
			true
		[[ $code == 200 ]] && break
		if [[ $code != 000 ]]; then
			answered=${answered:-$SECONDS}
			((SECONDS - answered < 60)) || break
		fi
		if ! kill -0 "$DEMO_PID" 2>/dev/null; then
			log "make demo exited before the dashboard answered; last lines of $DEMO_LOG:"
			tail -n 15 "$DEMO_LOG" >&2
			break
		fi
		sleep 2
	done
	TIME[answer]=$((SECONDS - t0))
	HTTP_STATUS=$code
	if [[ $code == 200 && -s $FRESH_DIR/dashboard.html ]]; then
		RESULT[answer]=pass
		NOTE[answer]="HTTP 200, $(wc -c <"$FRESH_DIR/dashboard.html") bytes"
		grep -qi '</html>' "$FRESH_DIR/dashboard.html" || NOTE[answer]+=" (not a whole HTML page!)"
	elif [[ $code == 000 ]]; then
		RESULT[answer]=fail NOTE[answer]="no answer after $(fmt_time "${TIME[answer]}")"
	else
		RESULT[answer]=fail NOTE[answer]="HTTP $code"
	fi
	log "dashboard: ${RESULT[answer]} (${NOTE[answer]}, $(fmt_time "${TIME[answer]}"))"
}

# Ctrl-C: SIGINT to the demo's process group. It must be gone within STOP_GRACE seconds and
# leave no snmpsim, collector or probe (nor anything else) running in the root.
phase_stop() {
	local t0=$SECONDS rc=0 left p
	if [[ -z $DEMO_PID ]]; then
		RESULT[stop]=fail NOTE[stop]="the demo never started"
		return 0
	fi
	if ! kill -0 "$DEMO_PID" 2>/dev/null; then
		wait "$DEMO_PID" 2>/dev/null || rc=$?
		DEMO_PID=""
		RESULT[stop]=fail NOTE[stop]="not run: the demo had exited by itself (exit $rc)"
		kill_chroot_procs
		return 0
	fi
	log "stopping the demo with SIGINT to its process group"
	kill -INT -- "-$DEMO_PID" 2>/dev/null || true
	while kill -0 "$DEMO_PID" 2>/dev/null && ((SECONDS - t0 <= STOP_GRACE)); do sleep 0.2; done
	TIME[stop]=$((SECONDS - t0))
	if kill -0 "$DEMO_PID" 2>/dev/null; then
		RESULT[stop]=fail NOTE[stop]="still running $STOP_GRACE s after SIGINT"
		kill -KILL -- "-$DEMO_PID" 2>/dev/null || true
	fi
	wait "$DEMO_PID" 2>/dev/null || rc=$?
	DEMO_PID=""
	sleep 1   # let the group's last processes finish exiting
	left=""
	for p in $(chroot_pids); do
		left+=$'\n'"  $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-120)"
	done
	if [[ -n $left ]]; then
		log "left running in the root after the demo stopped:$left"
		if [[ $left =~ snmpsim|hbmon-collector|hbmon-probe ]]; then
			NOTE[stop]+="${NOTE[stop]:+; }left snmpsim/collector/probe running"
		else
			NOTE[stop]+="${NOTE[stop]:+; }left processes running"
		fi
		RESULT[stop]=fail
		kill_chroot_procs
	fi
	if [[ ${RESULT[stop]:-} != fail ]]; then
		RESULT[stop]=pass NOTE[stop]="stopped in $(fmt_time "${TIME[stop]}") (exit $rc), nothing left"
	fi
	log "demo stop: ${RESULT[stop]} (${NOTE[stop]})"
}

# --- summary and cleanup ------------------------------------------------------------------

summary() {
	local phase passed=0 failed=0
	local -A label=([check]="make check" [answer]="make demo answered" [stop]="demo stopped")
	local unset_note="not run"
	if ((INTERRUPTED)); then unset_note="interrupted"; fi
	echo
	echo "== fresh-check summary: ${HEAD_DESC:-(no clone)} on $SUITE from ${MIRROR:-?}"
	printf '  %-22s %8s\n' debootstrap "$(fmt_time "${TIME[debootstrap]:-0}")" \
		"clone, copy, mount" "$(fmt_time "${TIME[setup]:-0}")"
	for phase in check answer stop; do
		printf '  %-22s %8s  %-4s  %s\n' "${label[$phase]}" "$(fmt_time "${TIME[$phase]:-0}")" \
			"${RESULT[$phase]:-fail}" "${NOTE[$phase]:-$unset_note}"
		if [[ ${RESULT[$phase]:-} == pass ]]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
	printf '  %-22s %8s\n' total "$(fmt_time $((SECONDS - STARTED)))"
	echo "  dashboard HTTP status: $HTTP_STATUS"
	if [[ -s ${CHECK_LOG:-} ]]; then
		echo "  last 15 lines of make check ($CHECK_LOG):"
		tail -n 15 "$CHECK_LOG" | sed 's/^/    | /'
	fi
	echo "  logs: $FRESH_DIR/{debootstrap,check,demo}.log"
	echo "fresh-check: $passed passed, $failed failed"
	((failed == 0))
}

# On every exit (success, failure, Ctrl-C): stop what runs in the root, unmount it, report.
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	if [[ -n $DEMO_PID ]]; then
		kill -INT -- "-$DEMO_PID" 2>/dev/null
		sleep 2
		kill -KILL -- "-$DEMO_PID" 2>/dev/null
	fi
	if [[ -n $ROOT && -d $ROOT ]]; then
		kill_chroot_procs
		if ((MOUNTED)) || [[ -n $(mounts_under_root) ]]; then
			if unmount_root; then log "root unmounted"; else rc=1; fi
		fi
	fi
	if [[ $MODE == check && ${SUMMARY:-0} == 1 ]]; then
		summary || { ((rc == 0)) && rc=1; }
	fi
	if ((rc == 0)) && [[ ${FRESH_KEEP_ROOT:-0} != 1 && -n $ROOT && -d $ROOT &&
		-z $(mounts_under_root) ]]; then
		rm -rf --one-file-system -- "$ROOT"
	elif [[ -n $ROOT && -d $ROOT ]]; then
		log "root kept for inspection: $ROOT (deleted by the next run)"
	fi
	exit "$rc"
}

# --- main ---------------------------------------------------------------------------------

MODE=check
EXEC_CMD=""
case ${1:-} in
"") ;;
--exec)
	[[ $# == 2 ]] || die "usage: $0 [--exec 'COMMAND']"
	MODE=exec EXEC_CMD=$2
	;;
-h | --help)
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*) die "usage: $0 [--exec 'COMMAND']" ;;
esac

require_root
check_fresh_dir
trap cleanup EXIT
trap 'INTERRUPTED=1; log "interrupted"; exit 130' INT
trap 'exit 143' TERM

ensure_host_tool debootstrap debootstrap
ensure_host_tool curl curl
ensure_host_tool git git
ensure_host_tool ss iproute2

SHARED=$(cd "$SCRIPT_DIR" && git -c safe.directory='*' rev-parse --show-toplevel)/../shared
[[ -d $SHARED ]] || die "no shared folder beside the repository ($SHARED)"
SHARED=$(realpath "$SHARED")
SHARED_BYTES=$(du -sb "$SHARED" | cut -f1)
((SHARED_BYTES <= 1024 * 1024 * 1024)) ||
	die "$SHARED holds $((SHARED_BYTES >> 20)) MiB, more than the 1 GiB shared/ may hold"
check_space
find_mirrors
if [[ $MODE == check ]]; then SUMMARY=1; fi

remove_root
build_root
t0=$SECONDS
configure_root
copy_sources
mount_root
set_in_root
TIME[setup]=$((SECONDS - t0))

if [[ $MODE == exec ]]; then
	log "running in the root: $EXEC_CMD"
	rc=0
	"${IN_ROOT[@]}" "$EXEC_CMD" </dev/null &
	wait $! || rc=$?
	log "command exit status: $rc"
	exit "$rc"
fi

phase_check
phase_demo || true
phase_stop
