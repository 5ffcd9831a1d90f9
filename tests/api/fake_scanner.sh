#!/bin/sh
# A stand-in for a virus scanner in the API tests (t28), answering as ClamAV's scanners do:
# exit 1 with "stdin: <name> FOUND" when the EICAR test string is in standard input, 2 when
# the content holds "SCANNER-BREAKS" (the scanner failing), else 0.
content=$(cat)
case "$content" in
*'EICAR-STANDARD-ANTIVIRUS-TEST-FILE'*) echo "stdin: Eicar-Signature FOUND"; exit 1 ;;
*SCANNER-BREAKS*) echo "ERROR: cannot connect to clamd"; exit 2 ;;
esac
echo "stdin: OK"
exit 0
