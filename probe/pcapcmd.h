/*
 * `hbmon-probe pcap FILE [--oui PATH]`: a saved capture (libpcap, Ethernet only) through the
 * passive LAN watch (lanframe, hosttable, oui), the hosts and LLDP / CDP neighbours found
 * printed as JSON on stdout. For checking what the probe would learn on a LAN, and for tests.
 */
#ifndef HBMON_PCAPCMD_H
#define HBMON_PCAPCMD_H

/* argv[0] is "pcap". Returns the exit status: 0, 1 after a one-line error naming the file
 * on stderr, 2 on a usage error. */
int pcapcmd_main(int argc, char **argv);

#endif
