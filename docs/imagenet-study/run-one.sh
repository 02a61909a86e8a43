#!/bin/bash
# run-one.sh VARIANT SEED CENTER: one held-out center of one variant and seed, the study's budget.
set -u
variant=$1 seed=$2 center=$3
SADA=${SADA:-sada}
case $variant in
  sada-imagenet) args=(--algorithm sada) ;;
  sada-scratch)  args=(--algorithm sada --from-scratch) ;;
  erm-imagenet)  args=(--algorithm erm) ;;
  erm-scratch)   args=(--algorithm erm --from-scratch) ;;
esac
start=$(date +%s)
$SADA train --data ${STUDY:-/tmp/imagenet-study}/cells --holdout "$center" "${args[@]}" --size 32 --batch 8 --steps 20 --stage1-steps 10 --eval-every 10 \
  --seed "$seed" --checkpoints "${STUDY:-/tmp/imagenet-study}/ckpt/$variant-$seed-$center" --out "${STUDY:-/tmp/imagenet-study}/results/$variant-$seed-$center.json" \
  > "${STUDY:-/tmp/imagenet-study}/logs/$variant-$seed-$center.log" 2>&1
echo "$variant $seed $center exit $? $(( $(date +%s) - start )) s" >> ${STUDY:-/tmp/imagenet-study}/done.txt
rm -rf "${STUDY:-/tmp/imagenet-study}/ckpt/$variant-$seed-$center"
