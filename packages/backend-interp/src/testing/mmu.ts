/** Translation-table helpers for this package's tests (core's descriptor constructors). */
export {
  AP,
  encodeTcrEl1,
  encodeTtbr,
  encodeVtcrEl2,
  S2_MEMATTR,
  S2AP,
  s1BlockDesc,
  s1PageDesc,
  s2BlockDesc,
  s2PageDesc,
  tableDesc,
} from '@hvlab/core';
