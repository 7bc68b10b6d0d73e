// jstat ships no types; this is the one function of it pipebench calls (the Student t quantile).
declare module "jstat" {
  const jStat: {
    studentt: { inv(p: number, dof: number): number };
  };
  export default jStat;
}
