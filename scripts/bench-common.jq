# Helpers shared by bench-table.jq and bench-plot-data.jq (included with `include`).
# Input of both: every JSON record of a sweep, slurped into one array (jq -s).

def median:
  sort | if length == 0 then null
         elif length % 2 == 1 then .[(length - 1) / 2]
         else (.[length / 2 - 1] + .[length / 2]) / 2 end;

# Median of f over the records in the input array; null when there are none.
def med(f): map(f) | median;

# A run in which the server or the bench spent more than 5 % of the time waiting for a CPU
# (other load on the machine had it) is "contended": it measures the machine's other users.
def contended:
  ((.results.server_cpu_wait // 0) > 0.05) or ((.results.bench_cpu_wait // 0) > 0.05);

# Records of mode m whose parameters satisfy cond; contended runs are set aside when the same
# configuration has at least one run that is not.
def runs($all; m; cond):
  $all | map(select(.mode == m and cond))
  | (map(select(contended | not))) as $clean
  | if ($clean | length) > 0 then $clean else . end;

def sizes($all): [$all[] | select(.mode == "throughput" or .mode == "direct") | .parameters.size] | unique;
def pair_counts($all): [$all[] | select(.mode == "throughput" or .mode == "direct") | .parameters.pairs] | unique;
