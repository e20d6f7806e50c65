/*
 * `hbmon-probe pcap FILE [--oui PATH]`: a saved capture (libpcap, Ethernet only) through the
 * passive LAN watch (lanframe, hosttable, oui), the hosts and LLDP / CDP neighbours found
 * printed as JSON on stdout. For checking what the probe would learn on a LAN, and for tests.
 *
 * `hbmon-probe watch IFACE [--seconds N] [--oui PATH]`: the same from a live interface for N
 * seconds (lanwatch.h: the daemon's filter and handles), for a field technician. Started as
 * root it parses the frames as nobody, without capabilities, once the handle is open.
 */
#ifndef HBMON_PCAPCMD_H
#define HBMON_PCAPCMD_H

struct hosttable;

/* argv[0] is "pcap". Returns the exit status: 0, 1 after a one-line error naming the file
 * on stderr, 2 on a usage error. */
int pcapcmd_main(int argc, char **argv);
/* argv[0] is "watch". The same statuses; 1 also when the interface cannot be captured. */
int watchcmd_main(int argc, char **argv);

/* The report of ht on stdout as JSON, its source named first ({what: source}, e.g. "file":
 * "x.pcap"). 0, or 1 after a line on stderr beginning with prog. */
int pcapcmd_print(const char *prog, const char *what, const char *source,
		  const struct hosttable *ht);

#endif
